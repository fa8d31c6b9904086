/**
 * The floor of a tool call over Streamable HTTP: a no-op tool on a bare @modelcontextprotocol/sdk stateless server
 * (a new server and transport per request, as the SDK's own example does) beside dataverse-mcp's `sign_in`
 * (static-token mode: no Dataverse request), both driven by the SDK client, sequentially, in alternating rounds.
 * Run: `npm run build && npx ts-node --transpile-only bench/http-floor.ts [rounds=3] [calls=500]`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connectHttp } from '../test/support/mcp-clients';
import { freePort, spawnHttpServer } from '../test/support/server-process';

const ROUNDS = Number(process.argv[2] ?? 3);
const CALLS = Number(process.argv[3] ?? 500);

async function p50p95(url: string, tool: string): Promise<[number, number]> {
  const client = await connectHttp(url);
  const times: number[] = [];
  for (let i = 0; i < CALLS + 100; i++) {
    const started = process.hrtime.bigint();
    await client.callTool({ name: tool, arguments: {} });
    if (i >= 100) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  await client.close();
  times.sort((a, b) => a - b);
  return [times[Math.floor(times.length * 0.5)], times[Math.floor(times.length * 0.95)]];
}

async function main() {
  const port = await freePort();
  const bare = spawn(process.execPath, [join(__dirname, 'fixtures', 'bare-sdk-http-passthrough.mjs'), String(port)], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  const ours = await spawnHttpServer({
    DATAVERSE_URL: 'https://contoso.crm.dynamics.com',
    DATAVERSE_ACCESS_TOKEN: 'bench',
    MCP_TRANSPORT: 'http',
    LOG_LEVEL: 'info',
  });
  console.log(`tool call over Streamable HTTP, 1 client, ${CALLS} calls per round (ms)`);
  console.log('| round | bare SDK no-op p50 / p95 | dataverse-mcp sign_in p50 / p95 | difference at p50 |');
  console.log('|---|---:|---:|---:|');
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const [b50, b95] = await p50p95(`http://127.0.0.1:${port}`, 'noop');
      const [o50, o95] = await p50p95(ours.url, 'sign_in');
      console.log(
        `| ${round} | ${b50.toFixed(2)} / ${b95.toFixed(2)} | ${o50.toFixed(2)} / ${o95.toFixed(2)} | +${(o50 - b50).toFixed(2)} |`,
      );
    }
  } finally {
    bare.kill();
    await ours.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
