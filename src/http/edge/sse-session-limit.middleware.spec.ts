import express, { Request } from 'express';
import type { Server } from 'node:http';
import { createSseSessionLimit } from './sse-session-limit.middleware';

describe('createSseSessionLimit', () => {
  let server: Server;
  let base: string;
  let limit: ReturnType<typeof createSseSessionLimit>;
  const streams: AbortController[] = [];

  beforeAll(async () => {
    limit = createSseSessionLimit({ total: 3, perUser: 2, userOf: (req: Request) => req.header('x-user') || undefined });
    const app = express();
    app.use(limit);
    app.get('/sse', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: endpoint\ndata: /messages?sessionId=x\n\n');
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    streams.forEach((s) => s.abort());
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const open = async (user?: string, path = '/sse') => {
    const controller = new AbortController();
    streams.push(controller);
    const res = await fetch(`${base}${path}`, { headers: user ? { 'x-user': user } : {}, signal: controller.signal });
    return { res, close: () => controller.abort() };
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('should refuse a user past the per-user limit and everyone past the total with 429, and count again once streams close', async () => {
    const a1 = await open('ada');
    const a2 = await open('ada');
    const a3 = await open('ada');
    const b1 = await open('bob');
    const c1 = await open('cy');

    expect([a1.res.status, a2.res.status, b1.res.status]).toEqual([200, 200, 200]);
    expect(a3.res.status).toBe(429);
    expect(a3.res.headers.get('retry-after')).toBe('30');
    expect(((await a3.res.json()) as { error: { message: string } }).error.message).toContain('for this user (limit 2)');
    expect(c1.res.status).toBe(429);
    expect(((await c1.res.json()) as { error: { message: string } }).error.message).toContain('on this server (limit 3)');

    a1.close();
    await until(() => limit.stats().open === 2);
    const a4 = await open('ada');
    expect(a4.res.status).toBe(200);

    [a2, a4, b1].forEach((s) => s.close());
    await until(() => limit.stats().open === 0);
    expect(limit.stats()).toEqual({ open: 0, users: 0 });
  });

  it('should count the SSE route in any spelling, and only GETs of it', async () => {
    const held = await Promise.all([open(undefined), open(undefined), open(undefined)]);
    expect(held.map((h) => h.res.status)).toEqual([200, 200, 200]);

    const spelled = await open(undefined, '/SSE/');
    const other = await fetch(`${base}/elsewhere`);
    const head = await fetch(`${base}/sse`, { method: 'HEAD' });

    expect(spelled.res.status).toBe(429);
    expect(other.status).toBe(404);
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET');
    held.forEach((h) => h.close());
    await until(() => limit.stats().open === 0);
    expect(limit.stats().open).toBe(0);
  });
});
