/**
 * Measures simple GETs per second against the emulator with plain node:http keep-alive clients.
 * Run: npx ts-node --transpile-only bench/sandbox/emulator-gets.ts [seconds=5] [concurrency=16]
 * Writes its result to stderr (stdout stays free, as everywhere in the sandbox).
 */
import { Agent, request } from 'node:http';
import { startEmulator } from '../../src/sandbox';

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 16);
  const em = await startEmulator();
  const token = em.issueToken();
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(em.url);
  const all = [
    `/api/data/v9.2/WhoAmI`,
    `/api/data/v9.2/accounts?$select=name,revenue&$top=5`,
    `/api/data/v9.2/systemusers(${em.sandboxUserId})?$select=fullname`,
    `/api/data/v9.2/contacts?$select=fullname&$filter=${encodeURIComponent("lastname eq 'Smith'")}&$top=10`,
  ];
  const only = process.env.BENCH_PATH;
  const paths = only !== undefined ? [all[Number(only)]] : all;
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { hostname, port, path, agent, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  for (let i = 0; i < 200; i++) await get(paths[i % paths.length]); // warm-up
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const worker = async (w: number) => {
    for (let i = w; Date.now() < deadline; i++) {
      if ((await get(paths[i % paths.length])) !== 200) failed++;
      done++;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = (Date.now() - t0) / 1000;
  process.stderr.write(
    `${Math.round(done / elapsed)} GETs/s (${done} requests in ${elapsed.toFixed(1)} s, concurrency ${concurrency}, ${failed} non-200)\n`,
  );
  agent.destroy();
  await em.close();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
