/**
 * `npx ts-node --transpile-only bench/query.ts`: the query figures alone (default-columns size, aggregate vs paging),
 * against the built server and the emulator in its own process. bench/run.ts prints the same rows in its table.
 */
import { benchWithEmulator } from './lib/emulator-process';
import { measureQueryWithServer, queryRows } from './lib/query';

benchWithEmulator(async (emulator, token) => {
  const figures = await measureQueryWithServer(emulator, token);
  console.log('| measure | result | goal |\n|---|---|---|');
  for (const r of queryRows(figures)) console.log(`| ${r.measure} | ${r.result} | ${r.goal} |`);
  console.log(JSON.stringify(figures));
});
