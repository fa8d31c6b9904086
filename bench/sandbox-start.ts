/**
 * How long a second `npm run sandbox` takes until its banner is printed, with dist/ already current (no rebuild),
 * beside the freshness check alone: `npm run build && npx ts-node --transpile-only bench/sandbox-start.ts [runs]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../test/support/server-process';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.argv[2] ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function bannerAfter(): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const proc = spawn('npm', ['run', 'sandbox', '--silent'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MCP_PORT: String(port), AUTH_REDIRECT_PORT: String(await freePort()) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d) => {
      err += d;
      if (err.includes('/sandbox/')) {
        const ms = performance.now() - started;
        process.kill(-proc.pid!, 'SIGTERM');
        resolve(ms);
      }
    });
    proc.on('exit', (code) => reject(new Error(`npm run sandbox exited with ${code} before its banner:\n${err}`)));
  });
}

async function main() {
  const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-stamp.mjs'), 'check'], { cwd: ROOT });
  if (check.status !== 0) throw new Error('dist/ is not current: run npm run build first');
  const checks: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-stamp.mjs'), 'check'], { cwd: ROOT });
    checks.push(performance.now() - t);
    starts.push(await bannerAfter());
    await new Promise((r) => setTimeout(r, 300));
  }
  console.log(`second npm run sandbox, ${RUNS} runs (ms)`);
  console.log('| what | median | min | max |');
  console.log('|---|---:|---:|---:|');
  for (const [label, xs] of [
    ['freshness check (node scripts/build-stamp.mjs check)', checks],
    ['npm run sandbox → banner printed', starts],
  ] as const)
    console.log(`| ${label} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
