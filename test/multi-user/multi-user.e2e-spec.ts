import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LocalIssuer, TestUser } from '../../src/auth/obo/testing/local-issuer';
import { EmulatorHandle, startEmulator } from '../../src/sandbox';
import { callTool, connectHttp, connectSse } from '../support/mcp-clients';
import { startRedis, TestRedis } from '../support/redis-server';
import type { SpawnedServer } from '../support/server-process';
import { auditEventsWhen, spawnReplica } from './multi-user-support';

const SECRET = 'replica-client-secret';
const BASE_URL = 'https://mcp.contoso.test';

interface Person extends TestUser {
  systemuserid: string;
  token: string;
}

/**
 * Multi-user (on-behalf-of) mode end to end: two server replicas sharing one real redis-server, a local
 * token issuer (RS256 + JWKS on loopback) standing in for Entra ID, MSAL's network client playing the
 * on-behalf-of token endpoint, and the emulator seeing per-user Dataverse requests.
 */
describe('multi-user mode: two replicas, one Redis', () => {
  let emulator: EmulatorHandle;
  let redis: TestRedis;
  let issuer: LocalIssuer;
  let replicas: SpawnedServer[];
  let people: Person[];
  let envHost: string;
  const clients: Client[] = [];

  const connect = async (replica: SpawnedServer, token: string) => {
    const client = await connectHttp(replica.url, { authorization: `Bearer ${token}` });
    clients.push(client);
    return client;
  };
  const exchanges = () =>
    replicas.flatMap((r) =>
      r
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('fake-entra: on_behalf_of exchange')),
    );
  const rpc = (
    replica: SpawnedServer,
    headers: Record<string, string>,
    body: object = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_my_identity', arguments: {} } },
  ) =>
    fetch(`${replica.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    // The control API lets the replicas' fake Entra issue emulator tokens acting as each user.
    emulator = await startEmulator({ controlApi: true });
    redis = await startRedis();
    issuer = new LocalIssuer();
    await issuer.start();
    envHost = new URL(emulator.url).host;

    // 20 people: the emulator's 12 system users plus 8 created for this test.
    const admin = { authorization: `Bearer ${emulator.issueToken()}`, 'content-type': 'application/json', prefer: 'return=representation' };
    const listed = (await (await fetch(`${emulator.apiUrl}systemusers?$select=fullname`, { headers: admin })).json()) as {
      value: Array<{ systemuserid: string; fullname: string }>;
    };
    const users = listed.value.map((u) => ({ systemuserid: u.systemuserid, fullname: u.fullname }));
    for (let i = users.length; i < 20; i++) {
      const res = await fetch(`${emulator.apiUrl}systemusers`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ firstname: 'Load', lastname: `Tester ${i}` }),
      });
      const created = (await res.json()) as { systemuserid: string; fullname: string };
      users.push({ systemuserid: created.systemuserid, fullname: created.fullname });
    }
    people = users.slice(0, 20).map((u, i) => {
      const person = { oid: randomUUID(), name: u.fullname, username: `user${i}@contoso.test`, systemuserid: u.systemuserid };
      return { ...person, token: issuer.mint(person) };
    });

    const env = {
      MCP_TRANSPORT: 'sse,http',
      DATAVERSE_URL: emulator.url,
      CLIENT_ID: issuer.clientId,
      TENANT_ID: issuer.tenantId,
      CLIENT_SECRET: SECRET,
      MCP_BASE_URL: BASE_URL,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'info',
      TEST_SEAMS: JSON.stringify({
        jwksUrl: issuer.jwksUrl,
        emulatorUrl: emulator.url,
        clientId: issuer.clientId,
        clientSecret: SECRET,
        users: Object.fromEntries(people.map((p) => [p.oid, p.systemuserid])),
      }),
    };
    replicas = await Promise.all([spawnReplica(env), spawnReplica(env)]);
  }, 60000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await issuer?.close();
    await redis?.stop();
    await emulator?.close();
  });

  describe('bearer tokens', () => {
    const bad: Array<[string, () => Record<string, string>, number, string | undefined]> = [
      ['no token', () => ({}), 401, undefined],
      [
        'a token for another audience',
        () => ({ authorization: `Bearer ${issuer.mint(people[0], { claims: { aud: 'api://someone-else' } })}` }),
        401,
        'invalid_token',
      ],
      [
        'a token from another issuer',
        () => ({ authorization: `Bearer ${issuer.mint(people[0], { claims: { iss: 'https://evil.example/v2.0' } })}` }),
        401,
        'invalid_token',
      ],
      [
        'an expired token',
        () => ({ authorization: `Bearer ${issuer.mint(people[0], { claims: { exp: Math.floor(Date.now() / 1000) - 600 } })}` }),
        401,
        'invalid_token',
      ],
      [
        'a token with a bad signature',
        () => ({ authorization: `Bearer ${issuer.mint(people[0], { badSignature: true })}` }),
        401,
        'invalid_token',
      ],
      [
        'a token signed by an unknown key',
        () => ({ authorization: `Bearer ${issuer.mint(people[0], { unpublishedKey: true })}` }),
        401,
        'invalid_token',
      ],
      [
        'a token without the access_as_user scope',
        () => ({ authorization: `Bearer ${issuer.mint(people[0], { claims: { scp: 'User.Read' } })}` }),
        403,
        'insufficient_scope',
      ],
      [
        'an app-only token (no scp)',
        () => ({ authorization: `Bearer ${issuer.mint(people[0], { claims: { scp: undefined, roles: ['All'] } })}` }),
        403,
        'insufficient_scope',
      ],
      ['a Basic credential', () => ({ authorization: 'Basic dXNlcjpwYXNz' }), 401, undefined],
    ];

    it.each(bad)('should refuse %s with the metadata challenge, and nothing reaches Dataverse', async (_label, headers, status, error) => {
      emulator.requestLog.clear();
      const before = exchanges().length;

      for (const replica of replicas) {
        const res = await rpc(replica, headers());
        expect(res.status).toBe(status);
        const challenge = res.headers.get('www-authenticate') ?? '';
        expect(challenge).toContain(`resource_metadata="${BASE_URL}/.well-known/oauth-protected-resource"`);
        if (error) expect(challenge).toContain(`error="${error}"`);
        const sse = await fetch(`${replica.url}/sse`, { headers: headers() });
        expect(sse.status).toBe(status);
      }

      expect(emulator.requestLog.entries()).toEqual([]);
      expect(exchanges().length).toBe(before);
    });

    it('should refuse an SDK client without a token at connect', async () => {
      await expect(connectHttp(replicas[0].url)).rejects.toThrow();
    });

    it('should serve protected resource metadata and health probes without a token', async () => {
      const metadata = await fetch(`${replicas[1].url}/.well-known/oauth-protected-resource`);
      expect(await metadata.json()).toEqual({
        resource: BASE_URL,
        authorization_servers: [`https://login.microsoftonline.com/${issuer.tenantId}/v2.0`],
        scopes_supported: [`api://${issuer.clientId}/access_as_user`],
        bearer_methods_supported: ['header'],
        resource_name: 'Dataverse MCP server',
      });
      expect((await fetch(`${replicas[0].url}/healthz`)).status).toBe(200);
      expect((await fetch(`${replicas[0].url}/readyz`)).status).toBe(200);
    });

    it('should answer sign_in with not_needed for the signed-in user', async () => {
      const client = await connect(replicas[0], people[3].token);
      const result = await callTool(client, 'sign_in');

      expect(result.structuredContent).toMatchObject({ status: 'not_needed' });
      expect(result.text).toContain(people[3].name);
    });
  });

  describe('isolation between users', () => {
    it('should answer each user as themselves on both replicas, with per-user cache keys and one exchange per token', async () => {
      const [ada, bob] = people;
      const before = exchanges().length;
      const adaOn0 = await connect(replicas[0], ada.token);
      const bobOn0 = await connect(replicas[0], bob.token);
      const adaOn1 = await connect(replicas[1], ada.token);
      const bobOn1 = await connect(replicas[1], bob.token);

      const a0 = await callTool(adaOn0, 'get_my_identity');
      const b0 = await callTool(bobOn0, 'get_my_identity');
      const a1 = await callTool(adaOn1, 'get_my_identity');
      const b1 = await callTool(bobOn1, 'get_my_identity');
      await callTool(adaOn0, 'get_table_schema', { table: 'contact' });
      emulator.requestLog.clear();
      const bobSchema = await callTool(bobOn1, 'get_table_schema', { table: 'contact' });

      expect(a0.structuredContent).toMatchObject({ userId: ada.systemuserid, fullName: ada.name });
      expect(a1.structuredContent).toMatchObject({ userId: ada.systemuserid, fullName: ada.name });
      expect(b0.structuredContent).toMatchObject({ userId: bob.systemuserid, fullName: bob.name });
      expect(b1.structuredContent).toMatchObject({ userId: bob.systemuserid, fullName: bob.name });
      // Bob's schema came from Dataverse, not from Ada's cache entry.
      expect(bobSchema.isError).toBeFalsy();
      expect(emulator.requestLog.entries().length).toBeGreaterThan(0);
      const keys = (await redis.command('KEYS', 'mcp:*')) as string[];
      for (const p of [ada, bob]) {
        expect(keys).toEqual(
          expect.arrayContaining([
            `mcp:${envHost}:${p.oid}:identity`,
            `mcp:${envHost}:${p.oid}:schema:contact`,
            `mcp:${envHost}:${p.oid}:msal`,
          ]),
        );
      }
      const bobsTokens = (await redis.command('GET', `mcp:${envHost}:${bob.oid}:msal`)) as string;
      expect(bobsTokens).not.toContain(ada.oid);
      // Both replicas used each user's one exchange (shared MSAL cache in Redis).
      const mine = exchanges().slice(before);
      expect(mine.filter((l) => l.endsWith(`oid=${ada.oid}`))).toHaveLength(1);
      expect(mine.filter((l) => l.endsWith(`oid=${bob.oid}`))).toHaveLength(1);
      expect(mine.every((l) => l.includes('assertion=present'))).toBe(true);
    });

    it("should record the user's object id on audit events", async () => {
      const carol = people[2];
      const client = await connect(replicas[1], carol.token);
      await callTool(client, 'list_tables', { filter: 'contact' });

      const carols = (events: Array<Record<string, unknown>>) => events.filter((e) => e.tool === 'list_tables' && e.userId === carol.oid);
      expect(carols(await auditEventsWhen([replicas[1]], (events) => carols(events).length >= 1))).toHaveLength(1);
    });

    it('should confirm a delete proposed on one replica on the other, once, and only for the user who proposed it', async () => {
      const [ada, bob] = people;
      const adaOn0 = await connect(replicas[0], ada.token);
      const adaOn1 = await connect(replicas[1], ada.token);
      const bobOn1 = await connect(replicas[1], bob.token);
      const created = await callTool(adaOn0, 'create_record', { table: 'contact', data: { firstname: 'Multi', lastname: 'Replica' } });
      const id = (created.structuredContent as { id: string }).id;
      const proposal = await callTool(adaOn0, 'delete_record', { table: 'contact', id });
      const { token } = proposal.structuredContent as { token: string };
      emulator.requestLog.clear();

      const byBob = await callTool(bobOn1, 'confirm_delete_record', { token });
      const byAda = await Promise.all([
        callTool(adaOn1, 'confirm_delete_record', { token }),
        callTool(adaOn0, 'confirm_delete_record', { token }),
      ]);

      expect(byBob.isError).toBe(true);
      expect(byBob.text).toContain('another user');
      expect(byAda.filter((r) => !r.isError)).toHaveLength(1);
      expect(byAda.find((r) => !r.isError)!.structuredContent).toMatchObject({ deleted: true, id });
      expect(emulator.requestLog.entries().filter((e) => e.method === 'DELETE')).toHaveLength(1);
      expect(emulator.store.get('contacts', id)).toBeUndefined();
    });

    it("should continue a user's list_records cursor on the other replica, and treat it as expired for anyone else", async () => {
      const [ada, bob] = people;
      const adaOn0 = await connect(replicas[0], ada.token);
      const adaOn1 = await connect(replicas[1], ada.token);
      const bobOn1 = await connect(replicas[1], bob.token);
      const first = await callTool(adaOn0, 'list_records', { table: 'contact', select: 'fullname', top: 2 });
      const { nextCursor } = first.structuredContent as { nextCursor: string };
      emulator.requestLog.clear();

      const byBob = await callTool(bobOn1, 'list_records', { table: 'contact', cursor: nextCursor });
      const unknown = await callTool(bobOn1, 'list_records', { table: 'contact', cursor: 'A'.repeat(22) });
      const byAda = await callTool(adaOn1, 'list_records', { table: 'contact', cursor: nextCursor });

      expect(nextCursor.length).toBeLessThanOrEqual(128);
      expect(byBob.isError).toBe(true);
      expect(byBob.text).toContain('This page cursor expired (or is not yours); run the query again without cursor.');
      expect(unknown.text).toBe(byBob.text);
      expect(emulator.requestLog.entries().filter((e) => e.url.includes('/contacts'))).toHaveLength(1);
      expect(byAda.isError).toBeFalsy();
      expect((byAda.structuredContent as { records: unknown[] }).records).toHaveLength(2);
      const keys = (await redis.command('KEYS', `mcp:*:cursor:${nextCursor}`)) as string[];
      expect(keys).toEqual([`mcp:${envHost}:${ada.oid}:cursor:${nextCursor}`]);
      expect(Number(await redis.command('TTL', keys[0]))).toBeGreaterThan(800);
    });

    it("should refuse another user's token on an SSE session, and serve its owner", async () => {
      const [ada, bob] = people;
      const controller = new AbortController();
      const stream = await fetch(`${replicas[0].url}/sse`, {
        headers: { authorization: `Bearer ${ada.token}` },
        signal: controller.signal,
      });
      const reader = stream.body!.getReader();
      let text = '';
      while (!/sessionId=[\w-]+/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      const endpoint = /data: (\S+)/.exec(text)![1];
      const init = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      };
      const send = (token: string) =>
        fetch(`${replicas[0].url}${endpoint}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(init),
        });
      try {
        const asBob = await send(bob.token);
        const asAda = await send(ada.token);

        expect(asBob.status).toBe(403);
        expect(asAda.status).toBe(202);
      } finally {
        controller.abort();
      }

      // The SDK's SSE client, with the owner's token, works end to end.
      const sse = await connectSse(replicas[1].url, { authorization: `Bearer ${bob.token}` });
      clients.push(sse);
      const identity = await callTool(sse, 'get_my_identity');
      expect(identity.structuredContent).toMatchObject({ fullName: bob.name });
    });
  });

  it('should answer 20 users x 50 calls across both replicas each with their own data', async () => {
    const sessions = await Promise.all(
      people.map(async (p) => ({ person: p, clients: [await connect(replicas[0], p.token), await connect(replicas[1], p.token)] })),
    );
    const wrong: string[] = [];
    const errors: string[] = [];
    const started = Date.now();
    // Exchanges earlier tests made for the same people do not count against this one.
    const exchangesOf = (p: Person) => exchanges().filter((l) => l.endsWith(`oid=${p.oid}`)).length;
    const earlier = new Map(people.map((p) => [p.oid, exchangesOf(p)]));

    await Promise.all(
      sessions.map(async ({ person, clients: pair }) => {
        for (let i = 0; i < 50; i++) {
          const client = pair[i % 2];
          if (i % 2 === 0) {
            const r = await callTool(client, 'get_my_identity');
            if (r.isError) errors.push(r.text);
            else if ((r.structuredContent as { fullName?: string; userId?: string }).userId !== person.systemuserid)
              wrong.push(`${person.name} got ${r.text.slice(0, 80)}`);
          } else {
            const r = await callTool(client, 'list_records', { table: 'account', top: 2, select: ['name'] });
            if (r.isError) errors.push(r.text);
          }
        }
      }),
    );

    expect(errors).toEqual([]);
    expect(wrong).toEqual([]);
    // Every list_records call was audited under its caller's object id.
    const lists = (all: Array<Record<string, unknown>>) => all.filter((e) => e.tool === 'list_records' && e.table === 'account');
    const events = lists(await auditEventsWhen(replicas, (all) => lists(all).length >= people.length * 25));
    for (const p of people) expect(events.filter((e) => e.userId === p.oid)).toHaveLength(25);
    // One exchange per user's token, or two when both replicas raced on the first call: never one per call.
    for (const p of people) expect(exchangesOf(p) - earlier.get(p.oid)!).toBeLessThanOrEqual(2);
    process.stderr.write(`multi-user load: 1000 calls in ${Date.now() - started} ms\n`);
  }, 120000);
});
