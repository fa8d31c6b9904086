/**
 * "1,000 contacts created": one create_records call (one $batch change set) against 1,000 create_record calls,
 * over Streamable HTTP with the SDK client, server and emulator in processes of their own.
 * Run alone: `npm run build && npx ts-node --transpile-only bench/bulk-create.ts [rows=1000]`.
 */
import { bulkCreateRow, measureBulkCreate } from './lib/bulk-create';
import { startEmulatorProcess } from './lib/emulator-process';

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess();
  try {
    const r = await measureBulkCreate(emulator, await emulator.issueToken(), Number(process.argv[2] ?? 1000));
    console.log('| area | measure | result | goal |\n|---|---|---|---|');
    console.log(`| ${bulkCreateRow(r).join(' | ')} |`);
  } finally {
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
