/**
 * Start-up benchmark on its own: `npm run build && npx ts-node --transpile-only bench/startup.ts [runs]`.
 * `npm run bench` includes it (bench/run.ts).
 */
import { measureStartup } from './lib/startup';

const RUNS = Number(process.argv[2] ?? 15);

async function main() {
  const results = await measureStartup(RUNS);
  const bare = results[1].median;
  console.log(`start-up to tools/list, ${RUNS} runs each (ms)`);
  console.log('| process | median | min | max | × bare SDK |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results)
    console.log(`| ${r.label} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} | ${(r.median / bare).toFixed(2)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
