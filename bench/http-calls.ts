/**
 * `npm run build && npx ts-node --transpile-only bench/http-calls.ts [rounds=3]`: the Streamable HTTP per-call
 * figures alone (dataverse-mcp beside the bare SDK stateless pass-through server). bench/run.ts prints the same rows.
 */
import { benchWithEmulator } from './lib/emulator-process';
import { httpCallRows, measureHttpCalls } from './lib/http-calls';

benchWithEmulator(async (emulator, token) => {
  const rows = await measureHttpCalls(emulator, token, Number(process.argv[2] ?? 3));
  for (const r of httpCallRows(rows)) console.log(`| ${r.join(' | ')} |`);
});
