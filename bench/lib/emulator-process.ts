import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RequestLogEntry } from '../../src/sandbox';

/** The emulator running in its own process (bench/lib/emulator-child.ts), driven through its control API. */
export interface EmulatorProcess {
  url: string;
  apiUrl: string;
  pid: number;
  issueToken(): Promise<string>;
  log(): Promise<RequestLogEntry[]>;
  clearLog(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'emulator-child.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
  });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { url: string });
    });
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  const control = (path: string, init?: RequestInit) => fetch(`${url}/_emulator/${path}`, init);
  return {
    url,
    apiUrl: `${url}/api/data/v9.2/`,
    pid: child.pid!,
    issueToken: async () => ((await (await control('tokens', { method: 'POST', body: '{}' })).json()) as { token: string }).token,
    log: async () => (await (await control('log')).json()) as RequestLogEntry[],
    clearLog: async () => void (await control('log', { method: 'DELETE' })),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

/**
 * The body of a bench entry script: an emulator process and a token from it for `run`, stopped afterwards; a failure
 * is printed and ends the process with 1.
 */
export function benchWithEmulator(run: (emulator: EmulatorProcess, token: string) => Promise<void>): void {
  (async () => {
    const emulator = await startEmulatorProcess();
    try {
      await run(emulator, await emulator.issueToken());
    } finally {
      await emulator.stop();
    }
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
