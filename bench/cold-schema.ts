/**
 * `npm run build && npx ts-node --transpile-only bench/cold-schema.ts [latencyMs=50] [rounds=15]`: the cold-schema
 * figure alone. bench/run.ts prints the same row in its table.
 */
import { coldSchemaRow, measureColdSchema } from './lib/cold-schema';
import { startEmulatorProcess } from './lib/emulator-process';

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess();
  try {
    const r = await measureColdSchema(emulator, await emulator.issueToken(), Number(process.argv[2] ?? 50), Number(process.argv[3] ?? 15));
    console.log(`| ${coldSchemaRow(r).join(' | ')} |`);
    console.log(JSON.stringify(r));
  } finally {
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
