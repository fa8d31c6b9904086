/**
 * "1,000 contacts created": one create_records call (one $batch change set) against 1,000 create_record calls,
 * over Streamable HTTP with the SDK client, server and emulator in processes of their own.
 * Run alone: `npm run build && npx ts-node --transpile-only bench/bulk-create.ts [rows=1000]`.
 */
import { bulkCreateRow, measureBulkCreate } from './lib/bulk-create';
import { benchWithEmulator } from './lib/emulator-process';

benchWithEmulator(async (emulator, token) => {
  const r = await measureBulkCreate(emulator, token, Number(process.argv[2] ?? 1000));
  console.log('| area | measure | result | goal |\n|---|---|---|---|');
  console.log(`| ${bulkCreateRow(r).join(' | ')} |`);
});
