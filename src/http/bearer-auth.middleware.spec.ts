import express from 'express';
import type { Server } from 'node:http';
import { EntraTokenValidator } from '../auth/obo/entra-token-validator';
import { LocalIssuer, TEST_CLIENT_ID, TEST_TENANT_ID } from '../auth/obo/testing/local-issuer';
import { authenticatedUser, createBearerAuth, SessionBindings } from './bearer-auth.middleware';
import { createProtectedResourceHandler, protectedResourceMetadataUrl } from './protected-resource';

const ADA = { oid: '0a0a0a0a-1111-4111-8111-aaaaaaaaaaaa', name: 'Ada Lovelace', username: 'ada@contoso.com' };
const BOB = { oid: '0b0b0b0b-2222-4222-8222-bbbbbbbbbbbb', name: 'Bob Byte', username: 'bob@contoso.com' };
const BASE = 'https://mcp.contoso.com';
const METADATA = `${BASE}/.well-known/oauth-protected-resource`;
const quiet = { warn: () => undefined, log: () => undefined, error: () => undefined };

describe('bearer auth and protected resource metadata (multi-user HTTP)', () => {
  let issuer: LocalIssuer;
  let server: Server;
  let url: string;
  let reached: string[];
  let bindings: SessionBindings;
  const config = { mcpBaseUrl: BASE, tenantId: TEST_TENANT_ID, clientId: TEST_CLIENT_ID };

  beforeAll(async () => {
    issuer = new LocalIssuer();
    await issuer.start();
    bindings = new SessionBindings();
    const app = express();
    app.use(createProtectedResourceHandler(config));
    app.use(
      createBearerAuth({
        validator: new EntraTokenValidator(config, { jwksUrl: issuer.jwksUrl, logger: quiet }),
        metadataUrl: protectedResourceMetadataUrl(config),
        bindings,
        logger: quiet,
      }),
    );
    app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    app.post('/mcp', (req, res) => {
      reached.push(`mcp:${authenticatedUser(req)?.userKey}`);
      res.json({ ok: true });
    });
    // Plays the SSE transport: announces a session id in the first event, then keeps the stream open.
    app.get('/sse', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: endpoint\ndata: /messages?sessionId=${String(req.query.id)}\n\n`);
    });
    app.post('/messages', (req, res) => {
      reached.push(`messages:${String(req.query.sessionId)}`);
      res.status(202).end();
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await issuer.close();
  });
  beforeEach(() => {
    reached = [];
  });

  const post = (path: string, token?: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: '{}',
    });

  it('should serve RFC 9728 metadata naming Entra, the scope and header bearer tokens, without a token', async () => {
    const res = await fetch(`${url}/.well-known/oauth-protected-resource`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: BASE,
      authorization_servers: [`https://login.microsoftonline.com/${TEST_TENANT_ID}/v2.0`],
      scopes_supported: [`api://${TEST_CLIENT_ID}/access_as_user`],
      bearer_methods_supported: ['header'],
      resource_name: 'Dataverse MCP server',
    });
    expect((await fetch(`${url}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);
  });

  it('should answer 401 with the metadata URL when no token is sent', async () => {
    const res = await post('/mcp');

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA}"`);
    expect(reached).toEqual([]);
  });

  it.each([
    ['a wrong audience', { claims: { aud: 'api://another-app' } }],
    ['a wrong issuer', { claims: { iss: 'https://login.example.com/v2.0' } }],
    ['an expired token', { claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }],
    ['a bad signature', { badSignature: true }],
  ])('should answer 401 invalid_token for %s', async (_label, options) => {
    const res = await post('/mcp', issuer.mint(ADA, options));

    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain(`resource_metadata="${METADATA}"`);
    expect(reached).toEqual([]);
  });

  it('should answer 403 insufficient_scope naming the scope for a token without access_as_user', async () => {
    const res = await post('/mcp', issuer.mint(ADA, { claims: { scp: 'User.Read' } }));

    expect(res.status).toBe(403);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain(`scope="api://${TEST_CLIENT_ID}/access_as_user"`);
    expect(challenge).toContain(`resource_metadata="${METADATA}"`);
    expect(reached).toEqual([]);
  });

  it('should let a valid token through with the user attached, and leave health probes open', async () => {
    const res = await post('/mcp', issuer.mint(ADA));

    expect(res.status).toBe(200);
    expect(reached).toEqual([`mcp:${ADA.oid}`]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('should guard paths under the MCP routes too', async () => {
    expect((await post('/mcp/anything')).status).toBe(401);
    expect((await post('/messages')).status).toBe(401);
  });

  // This app routes like Express's defaults (case-insensitive, trailing slash tolerated), so a spelling the
  // check missed would reach a handler.
  const spellings = (route: string) => [
    route,
    route.toUpperCase(),
    `${route[0]}${route[1].toUpperCase()}${route.slice(2)}/`,
    `${route}/`,
    `/${route}`,
    `${route};x`,
    `/%${route.charCodeAt(1).toString(16).toUpperCase()}${route.slice(2)}`,
    `/x/..${route}`,
  ];

  it.each(['/mcp', '/sse', '/messages'])('should refuse %s without a token however its path is spelled', async (route) => {
    for (const path of spellings(route)) {
      const res = route === '/sse' ? await fetch(`${url}${path}?id=s`) : await post(`${path}?sessionId=s`);
      expect([path, res.status]).toEqual([path, 401]);
      expect(res.headers.get('www-authenticate')).toContain('resource_metadata=');
    }
    expect(reached).toEqual([]);
  });

  it('should deny by default: any route but the exact public ones needs a token', async () => {
    for (const path of ['/', '/anything', '/Healthz', '/healthz/', '//healthz', '/.well-known/other']) {
      expect([path, (await fetch(`${url}${path}`)).status]).toEqual([path, 401]);
    }
    expect((await post('/healthz')).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/.well-known/oauth-protected-resource`)).status).toBe(200);
  });

  it("should refuse another user's message for a session however the messages route is spelled", async () => {
    const controller = new AbortController();
    const stream = await fetch(`${url}/SSE?id=session-2`, {
      headers: { authorization: `Bearer ${issuer.mint(ADA)}` },
      signal: controller.signal,
    });
    await stream.body!.getReader().read();
    try {
      expect(bindings.owner('session-2')).toBe(ADA.oid);
      for (const path of spellings('/messages')) {
        const res = await post(`${path}?sessionId=session-2`, issuer.mint(BOB));
        expect([path, res.status]).toEqual([path, 403]);
      }
      // A session named on any other route is checked too, and a doubled sessionId names none.
      expect((await post('/mcp?sessionId=session-2', issuer.mint(BOB))).status).toBe(403);
      expect((await post('/messages?sessionId=session-2&sessionId=x', issuer.mint(ADA))).status).toBe(404);
      expect(reached).toEqual([]);
      expect((await post('/Messages/?sessionId=session-2', issuer.mint(ADA))).status).toBe(202);
    } finally {
      controller.abort();
    }
  });

  it("should bind an SSE session to the user who opened it and refuse another user's messages", async () => {
    const controller = new AbortController();
    const stream = await fetch(`${url}/sse?id=session-1`, {
      headers: { authorization: `Bearer ${issuer.mint(ADA)}` },
      signal: controller.signal,
    });
    const reader = stream.body!.getReader();
    await reader.read();
    try {
      expect(bindings.owner('session-1')).toBe(ADA.oid);

      const foreign = await post('/messages?sessionId=session-1', issuer.mint(BOB));
      const own = await post('/messages?sessionId=session-1', issuer.mint(ADA));
      const unknown = await post('/messages?sessionId=no-such-session', issuer.mint(ADA));

      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as { error: { message: string } }).error.message).toContain('another user');
      expect(own.status).toBe(202);
      expect(unknown.status).toBe(404);
      expect(reached).toEqual(['messages:session-1']);
    } finally {
      controller.abort();
    }
    for (let i = 0; i < 50 && bindings.owner('session-1'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(bindings.owner('session-1')).toBeUndefined();
  });
});
