/**
 * `npm run build && npx ts-node --transpile-only bench/http-calls.ts [rounds=3]`: the Streamable HTTP per-call
 * figures alone (dataverse-mcp beside the bare SDK stateless pass-through server). bench/run.ts prints the same rows.
 */
import { startEmulatorProcess } from './lib/emulator-process';
import { httpCallRows, measureHttpCalls } from './lib/http-calls';

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess();
  try {
    const rows = await measureHttpCalls(emulator, await emulator.issueToken(), Number(process.argv[2] ?? 3));
    for (const r of httpCallRows(rows)) console.log(`| ${r.join(' | ')} |`);
  } finally {
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
