/**
 * Start-up: time from spawning a server in stdio mode to its answer to `tools/list`, for dataverse-mcp beside a bare
 * @modelcontextprotocol/sdk stdio server with one tool (bench/fixtures/bare-sdk-server.mjs) and beside `node -e 0`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { median } from './stats';

const ROOT = join(__dirname, '..', '..');

export interface StartupResult {
  label: string;
  median: number;
  min: number;
  max: number;
  samples: number[];
}

function timeToToolsList(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const proc = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'ignore'], cwd: ROOT });
    let out = '';
    let done = false;
    proc.stdout.on('data', (d) => {
      out += d;
      if (!done && out.includes('"id":2')) {
        done = true;
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        proc.kill('SIGKILL');
        resolve(ms);
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (!done) reject(new Error(`${args.join(' ')} exited with ${code} before answering tools/list`));
    });
    const send = (m: object) => proc.stdin.write(JSON.stringify(m) + '\n');
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  });
}

function timeExit(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const proc = spawn(process.execPath, args, { stdio: 'ignore' });
    proc.on('exit', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
  });
}

interface Case {
  label: string;
  run: () => Promise<number>;
}

/**
 * Measures the four processes `runs` times each (after one warm-up run of each), in alternating rounds (one run of
 * each per round), so a machine that speeds up or slows down during the run moves every figure alike.
 */
export async function measureStartup(runs: number): Promise<StartupResult[]> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATAVERSE_URL: 'https://contoso.crm.dynamics.com', LOG_LEVEL: 'warn' };
  const cases: Case[] = [
    { label: 'node -e 0', run: () => timeExit(['-e', '0']) },
    { label: 'bare SDK stdio server', run: () => timeToToolsList([join(ROOT, 'bench', 'fixtures', 'bare-sdk-server.mjs')], env) },
    { label: 'dataverse-mcp (stdio)', run: () => timeToToolsList([join(ROOT, 'dist', 'main.js')], env) },
    { label: 'dataverse-mcp --sandbox (stdio)', run: () => timeToToolsList([join(ROOT, 'dist', 'main.js'), '--sandbox'], env) },
  ];
  for (const c of cases) await c.run(); // warm the file cache
  const samples = cases.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) for (const [k, c] of cases.entries()) samples[k].push(await c.run());
  return cases.map((c, k) => ({
    label: c.label,
    median: median(samples[k]),
    min: Math.min(...samples[k]),
    max: Math.max(...samples[k]),
    samples: samples[k],
  }));
}
