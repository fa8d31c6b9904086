/**
 * Server CPU spent refusing a hostile request at the HTTP edge (nesting too deep, invalid JSON, body too large,
 * batch too big), measured from the server process's own CPU counters (/proc/<pid>/stat, Linux) over many requests.
 * Run: `npm run build && npx ts-node --transpile-only bench/edge-refusals.ts [requests=40]`.
 */
import { readFileSync } from 'node:fs';
import { spawnHttpServer } from '../test/support/server-process';

const REQUESTS = Number(process.argv[2] ?? 40);
const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
}

const call = (args: string) => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tables","arguments":${args}}}`;
const DEPTH = 1_000_000;
const cases: Array<[string, string]> = [
  [`${DEPTH.toLocaleString('en')} nested arrays (2 MB)`, call(`{"filter":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`)],
  ['4 MB string, then a bad token (JSON.parse decides)', call(`{"filter":"${'x'.repeat(4 * 1024 * 1024 - 200)}","top":nope}`)],
  ['unterminated string (4 MB)', call(`{"filter":"${'x'.repeat(4 * 1024 * 1024 - 200)}`)],
  ['body over 4 MB (5 MB)', call(`{"filter":"${'x'.repeat(5 * 1024 * 1024)}"}`)],
  ['4 MB of empty arrays in one array (refused as a batch)', `[${'[],'.repeat(1_398_000)}[]]`],
  ['4 MB of escaped quotes in strings, invalid JSON', call(`{"filter":["${'\\\\\\"'.repeat(1_000_000)}"`)],
  ['batch of 10,000 messages', `[${Array.from({ length: 10_000 }, () => '{"jsonrpc":"2.0","method":"ping","id":1}').join(',')}]`],
];

async function main() {
  const server = await spawnHttpServer({
    DATAVERSE_URL: 'https://contoso.crm.dynamics.com',
    DATAVERSE_ACCESS_TOKEN: 'bench',
    MCP_TRANSPORT: 'http',
    LOG_LEVEL: 'warn',
  });
  const pid = server.proc.pid!;
  console.log(`server CPU per refused request, ${REQUESTS} requests each (ms)`);
  console.log('| input | status | CPU per request |');
  console.log('|---|---:|---:|');
  try {
    for (const [label, body] of cases) {
      let status = 0;
      const post = () =>
        fetch(`${server.url}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body,
        }).then(async (r) => {
          status = r.status;
          await r.text();
        });
      await post(); // warm-up
      const before = cpuMs(pid);
      for (let i = 0; i < REQUESTS; i++) await post();
      console.log(`| ${label} | ${status} | ${((cpuMs(pid) - before) / REQUESTS).toFixed(2)} |`);
    }
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
