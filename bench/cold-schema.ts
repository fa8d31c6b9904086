/**
 * `npm run build && npx ts-node --transpile-only bench/cold-schema.ts [latencyMs=50] [rounds=15]`: the cold-schema
 * figure alone. bench/run.ts prints the same row in its table.
 */
import { coldSchemaRow, measureColdSchema } from './lib/cold-schema';
import { benchWithEmulator } from './lib/emulator-process';

benchWithEmulator(async (emulator, token) => {
  const r = await measureColdSchema(emulator, token, Number(process.argv[2] ?? 50), Number(process.argv[3] ?? 15));
  console.log(`| ${coldSchemaRow(r).join(' | ')} |`);
  console.log(JSON.stringify(r));
});
