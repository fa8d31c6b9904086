import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** Asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The environment of a spawned server: nothing from the developer's shell leaks in but PATH and HOME. */
export function serverEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface SpawnedServer {
  proc: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Sends a signal and resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/** Spawns `node dist/main.js` with HTTP transports and waits until /healthz answers. */
export async function spawnHttpServer(env: Record<string, string | undefined>, args: string[] = []): Promise<SpawnedServer> {
  const port = Number(env.MCP_PORT ?? (await freePort()));
  const proc = spawn(process.execPath, [MAIN, ...args], {
    env: serverEnv({ MCP_TRANSPORT: 'sse,http', ...env, MCP_PORT: String(port) }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const host = env.MCP_HOST && env.MCP_HOST !== '0.0.0.0' ? env.MCP_HOST : '127.0.0.1';
  const url = `http://${host}:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${err}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not become healthy:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    url,
    stdout: () => out,
    stderr: () => err,
    stop: (signal = 'SIGTERM') => stopProcess(proc, signal),
  };
}

/** The built server over Streamable HTTP against an emulator, with a fresh token from it (and Redis when given). */
export function spawnServerFor(
  emulator: { url: string; issueToken(): string },
  options: { redisUrl?: string; logLevel?: string; env?: Record<string, string> } = {},
): Promise<SpawnedServer> {
  return spawnHttpServer({
    MCP_TRANSPORT: 'http',
    DATAVERSE_URL: emulator.url,
    DATAVERSE_ACCESS_TOKEN: emulator.issueToken(),
    REDIS_URL: options.redisUrl,
    LOG_LEVEL: options.logLevel ?? 'info',
    ...options.env,
  });
}

export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve({ code: proc.exitCode, ms: 0 });
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 10000);
    proc.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, ms: Date.now() - started });
    });
    proc.kill(signal);
  });
}

/** Runs the server to completion (for configuration errors and --help). */
export function runToExit(
  env: Record<string, string | undefined>,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [MAIN, ...args], { env: serverEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
