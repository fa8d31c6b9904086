/**
 * Runs the Dataverse emulator in a process of its own, so that on a small machine the emulator and the load
 * generator do not share one event loop. Prints one JSON line ({url, sandboxUserId}) on stdout, then serves
 * until stdin closes. Tokens, the request log and faults are reached through its control API (/_emulator/...).
 */
import { startEmulator } from '../../src/sandbox';

async function main(): Promise<void> {
  const emulator = await startEmulator({ controlApi: true });
  process.stdout.write(`${JSON.stringify({ url: emulator.url, sandboxUserId: emulator.sandboxUserId })}\n`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
