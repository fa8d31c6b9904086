/**
 * `npm run build && npx ts-node --transpile-only bench/stdio-calls.ts [rounds=5] [calls=300]`: the stdio per-call
 * figures alone. bench/run.ts prints the same rows in its table.
 */
import { benchWithEmulator } from './lib/emulator-process';
import { measureStdioCalls, stdioCallRows } from './lib/stdio-calls';

benchWithEmulator(async (emulator, token) => {
  const rows = await measureStdioCalls(emulator, token, Number(process.argv[2] ?? 5), Number(process.argv[3] ?? 300));
  for (const r of stdioCallRows(rows)) console.log(`| ${r.join(' | ')} |`);
});
