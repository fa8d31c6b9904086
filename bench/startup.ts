/**
 * Start-up benchmark: time from spawning a server in stdio mode to the answer of `tools/list`,
 * median of N runs, for dataverse-mcp beside a bare @modelcontextprotocol/sdk server with one tool
 * and beside `node -e 0`. Run: `npm run build && npx ts-node --transpile-only bench/startup.ts [runs]`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const RUNS = Number(process.argv[2] ?? 15);
const ROOT = join(__dirname, '..');

function timeToToolsList(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const proc = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'ignore'], cwd: ROOT });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      if (out.includes('"id":2')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        proc.kill('SIGKILL');
        resolve(ms);
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before answering tools/list`)));
    const send = (m: object) => proc.stdin.write(JSON.stringify(m) + '\n');
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label: string, run: () => Promise<number>) {
  await run(); // warm the file cache
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await run());
  return { label, median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

async function main() {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATAVERSE_URL: 'https://contoso.crm.dynamics.com', LOG_LEVEL: 'warn' };
  const results = [
    await measure('node -e 0', () => timeExit(['-e', '0'])),
    await measure('bare SDK stdio server', () => timeToToolsList([join(__dirname, 'fixtures', 'bare-sdk-server.mjs')], env)),
    await measure('dataverse-mcp (stdio)', () => timeToToolsList([join(ROOT, 'dist', 'main.js')], env)),
    await measure('dataverse-mcp --sandbox (stdio)', () => timeToToolsList([join(ROOT, 'dist', 'main.js'), '--sandbox'], env)),
  ];
  const bare = results[1].median;
  console.log(`start-up to tools/list, ${RUNS} runs each (ms)`);
  console.log('| process | median | min | max | × bare SDK |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) console.log(`| ${r.label} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} | ${(r.median / bare).toFixed(2)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
