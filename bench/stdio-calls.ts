/**
 * `npm run build && npx ts-node --transpile-only bench/stdio-calls.ts [rounds=5] [calls=300]`: the stdio per-call
 * figures alone. bench/run.ts prints the same rows in its table.
 */
import { startEmulatorProcess } from './lib/emulator-process';
import { measureStdioCalls, stdioCallRows } from './lib/stdio-calls';

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess();
  try {
    const rows = await measureStdioCalls(
      emulator,
      await emulator.issueToken(),
      Number(process.argv[2] ?? 5),
      Number(process.argv[3] ?? 300),
    );
    for (const r of stdioCallRows(rows)) console.log(`| ${r.join(' | ')} |`);
  } finally {
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
