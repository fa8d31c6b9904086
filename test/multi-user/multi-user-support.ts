import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, serverEnv, SpawnedServer, stopProcess } from '../support/server-process';

const LAUNCHER = join(__dirname, 'replica-launcher.ts');
const ROOT = join(__dirname, '..', '..');

/** Spawns one multi-user replica through the test launcher and waits until /healthz answers. */
export async function spawnReplica(env: Record<string, string | undefined>): Promise<SpawnedServer> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', LAUNCHER], {
    cwd: ROOT,
    env: serverEnv({ MCP_TRANSPORT: 'sse,http', ...env, MCP_PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`replica exited with ${proc.exitCode}:\n${err}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`replica did not become healthy:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, url, stdout: () => out, stderr: () => err, stop: (signal = 'SIGTERM') => stopProcess(proc, signal) };
}

/**
 * The audit events of `servers` once `done` holds for them, or as they are after 5 s: a call's line is written just
 * after its answer, so it can reach the captured stderr a moment after the client has the answer.
 */
export async function auditEventsWhen(
  servers: SpawnedServer[],
  done: (events: Array<Record<string, unknown>>) => boolean,
): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const events = servers.flatMap(auditEventsOf);
    if (done(events) || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The JSON audit events a replica logged (pino lines with `audit: true`). */
export function auditEventsOf(server: SpawnedServer): Array<Record<string, unknown>> {
  return server
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"audit":true'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
