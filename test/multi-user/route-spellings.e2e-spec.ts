import { randomUUID } from 'node:crypto';
import { LocalIssuer } from '../../src/auth/obo/testing/local-issuer';
import { EmulatorHandle, startEmulator } from '../../src/sandbox';
import { callTool, connectHttp, connectSse } from '../support/mcp-clients';
import { openSseStream, rawRequest } from '../support/raw-http';
import type { SpawnedServer } from '../support/server-process';
import { spawnReplica } from './multi-user-support';

const SECRET = 'spellings-client-secret';
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

/** Ways to write a route that a lenient router, proxy or decoder may read as the route itself. */
function spellings(route: string): string[] {
  const name = route.slice(1);
  return [
    route,
    route.toUpperCase(),
    `/${name[0].toUpperCase()}${name.slice(1)}/`,
    `${route}/`,
    `/${route}`,
    `//${route}/`,
    `${route};x`,
    `${route};jsessionid=1/`,
    `/%${name.charCodeAt(0).toString(16).toUpperCase()}${name.slice(1)}`,
    `/%${name.charCodeAt(0).toString(16)}${name.slice(1).toUpperCase()}`,
    `/${name.slice(0, -1)}%${name.charCodeAt(name.length - 1).toString(16)}`,
    `/./${name}`,
    `/x/../${name}`,
    `${route}%2F`,
  ];
}

/**
 * Multi-user mode at the HTTP edge: every request but the exact public routes needs a token, however the
 * path is spelled, and an SSE session answers only the user who opened it. Raw HTTP, so paths go out as written.
 */
describe('multi-user mode: route spellings, session binding and SSE limits', () => {
  let emulator: EmulatorHandle;
  let issuer: LocalIssuer;
  let replica: SpawnedServer;
  let ada: { oid: string; token: string };
  let bob: { oid: string; token: string };

  beforeAll(async () => {
    emulator = await startEmulator({ controlApi: true });
    issuer = new LocalIssuer();
    await issuer.start();
    const person = (name: string) => {
      const p = { oid: randomUUID(), name, username: `${name}@contoso.test` };
      return { oid: p.oid, token: issuer.mint(p) };
    };
    ada = person('ada');
    bob = person('bob');
    const users = (
      (await await fetch(`${emulator.apiUrl}systemusers?$select=fullname`, {
        headers: { authorization: `Bearer ${emulator.issueToken()}` },
      }).then((r) => r.json())) as { value: Array<{ systemuserid: string }> }
    ).value;
    replica = await spawnReplica({
      MCP_TRANSPORT: 'sse,http',
      DATAVERSE_URL: emulator.url,
      CLIENT_ID: issuer.clientId,
      TENANT_ID: issuer.tenantId,
      CLIENT_SECRET: SECRET,
      MCP_BASE_URL: 'https://mcp.contoso.test',
      LOG_LEVEL: 'info',
      TEST_SEAMS: JSON.stringify({
        jwksUrl: issuer.jwksUrl,
        emulatorUrl: emulator.url,
        clientId: issuer.clientId,
        clientSecret: SECRET,
        users: { [ada.oid]: users[0].systemuserid, [bob.oid]: users[1].systemuserid },
      }),
    });
  }, 60000);

  afterAll(async () => {
    await replica?.stop();
    await issuer?.close();
    await emulator?.close();
  });

  it.each([
    ['POST', '/mcp', ''],
    ['GET', '/sse', ''],
    ['POST', '/messages', '?sessionId=00000000-0000-0000-0000-000000000000'],
  ])('should answer 401 to %s %s without a token in every spelling, and reach nothing', async (method, route, query) => {
    emulator.requestLog.clear();
    const answers: string[] = [];
    for (const path of spellings(route)) {
      const res = await rawRequest(replica.url, method, `${path}${query}`, { body: method === 'POST' ? INIT : undefined });
      answers.push(`${path} ${res.status} ${String(res.headers['www-authenticate']).startsWith('Bearer ')}`);
    }

    expect(answers).toEqual(spellings(route).map((p) => `${p} 401 true`));
    expect(emulator.requestLog.entries()).toEqual([]);
  });

  it('should deny by default: unknown routes and near-miss spellings of the public ones need a token', async () => {
    for (const path of ['/', '/anything', '/Healthz', '/healthz/', '//readyz', '/%68ealthz', '/.well-known/openid-configuration']) {
      expect(`${path} ${(await rawRequest(replica.url, 'GET', path)).status}`).toBe(`${path} 401`);
    }
    expect((await rawRequest(replica.url, 'POST', '/healthz', { body: '{}' })).status).toBe(401);
    for (const path of ['/healthz', '/readyz', '/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      expect(`${path} ${(await rawRequest(replica.url, 'GET', path)).status}`).toBe(`${path} 200`);
    }
  });

  it('should route only the exact spelling of each MCP route, even with a valid token', async () => {
    const auth = { authorization: `Bearer ${ada.token}` };
    for (const path of ['/MCP', '/mcp/', '/Mcp/', '//mcp', '/mcp;x', '/%6Dcp']) {
      expect(`${path} ${(await rawRequest(replica.url, 'POST', path, { body: INIT, headers: auth })).status}`).toBe(`${path} 404`);
    }
    for (const path of ['/SSE', '/sse/', '//sse']) {
      expect(`${path} ${(await rawRequest(replica.url, 'GET', path, { headers: auth })).status}`).toBe(`${path} 404`);
    }

    const http = await connectHttp(replica.url, auth);
    const sse = await connectSse(replica.url, auth);
    try {
      expect((await callTool(http, 'get_my_identity')).isError).toBeFalsy();
      expect((await callTool(sse, 'get_my_identity')).isError).toBeFalsy();
    } finally {
      await http.close();
      await sse.close();
    }
  });

  it("should refuse another user's (or no user's) message for an SSE session in every spelling, and serve its owner", async () => {
    const stream = await openSseStream(replica.url, { authorization: `Bearer ${ada.token}` });
    try {
      expect(stream.status).toBe(200);
      const asBob: string[] = [];
      const anonymous: string[] = [];
      for (const path of spellings('/messages')) {
        const target = `${path}?sessionId=${stream.sessionId}`;
        asBob.push(
          `${path} ${(await rawRequest(replica.url, 'POST', target, { body: INIT, headers: { authorization: `Bearer ${bob.token}` } })).status}`,
        );
        anonymous.push(`${path} ${(await rawRequest(replica.url, 'POST', target, { body: INIT })).status}`);
      }
      const asAda = await rawRequest(replica.url, 'POST', `/messages?sessionId=${stream.sessionId}`, {
        body: INIT,
        headers: { authorization: `Bearer ${ada.token}` },
      });

      expect(asBob).toEqual(spellings('/messages').map((p) => `${p} 403`));
      expect(anonymous).toEqual(spellings('/messages').map((p) => `${p} 401`));
      expect(asAda.status).toBe(202);
    } finally {
      stream.close();
    }
  });

  it('should cap the SSE sessions one user holds open (429 with a JSON-RPC error), leave others unaffected, and free them on close', async () => {
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const held = await Promise.all(Array.from({ length: 8 }, () => openSseStream(replica.url, auth(ada.token))));
    try {
      const over = await openSseStream(replica.url, auth(ada.token));
      const spelled = await openSseStream(replica.url, auth(ada.token), '/SSE');
      const bobs = await openSseStream(replica.url, auth(bob.token));
      bobs.close();

      expect(held.map((h) => h.status)).toEqual(Array(8).fill(200));
      expect(over.status).toBe(429);
      expect(JSON.parse(over.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { message: expect.stringContaining('limit 8') } });
      expect(spelled.status).toBe(429);
      expect(bobs.status).toBe(200);

      held.pop()!.close();
      let again = await openSseStream(replica.url, auth(ada.token));
      for (let i = 0; i < 50 && again.status === 429; i++) {
        await new Promise((r) => setTimeout(r, 20));
        again = await openSseStream(replica.url, auth(ada.token));
      }
      expect(again.status).toBe(200);
      held.push(again);
    } finally {
      held.forEach((h) => h.close());
    }
  });
});
