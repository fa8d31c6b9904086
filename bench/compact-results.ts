/**
 * `npx ts-node --transpile-only bench/compact-results.ts`: the compact-result figures alone (list_records pages,
 * contact schema, delete summary, nextCursor length). bench/run.ts prints the same rows in its table.
 */
import { benchWithEmulator } from './lib/emulator-process';
import { compactRows, measureCompactWithServer } from './lib/compact-results';

benchWithEmulator(async (emulator, token) => {
  const figures = await measureCompactWithServer(emulator, token);
  console.log('| measure | result | goal |\n|---|---|---|');
  for (const r of compactRows(figures)) console.log(`| ${r.measure} | ${r.result} | ${r.goal} |`);
  console.log(JSON.stringify(figures));
});
