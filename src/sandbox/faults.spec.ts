import { startEmulator } from './index';
import { call } from './spec-support';
import { EmulatorHandle } from './types';

describe('Dataverse emulator: faults, request log and control API', () => {
  let em: EmulatorHandle;
  beforeAll(async () => {
    em = await startEmulator({ controlApi: true });
  });
  afterAll(async () => {
    await em.close();
  });
  beforeEach(() => {
    em.controls.reset();
    em.requestLog.clear();
  });

  it('should throttle the first N requests with Retry-After and 0x80072322 when throttle.first is set', async () => {
    em.controls.set({ throttle: { first: 2, retryAfterSeconds: 7 } });
    const a = await call(em, 'WhoAmI');
    const b = await call(em, 'WhoAmI');
    const c = await call(em, 'WhoAmI');
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.headers.get('retry-after')).toBe('7');
    expect(a.json).toEqual({
      error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' },
    });
  });

  it('should throttle every request after N when throttle.after is set', async () => {
    em.controls.set({ throttle: { after: 1, code: '0x80072326' } });
    expect((await call(em, 'WhoAmI')).status).toBe(200);
    const r = await call(em, 'WhoAmI');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.json.error).toEqual({ code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 52.' });
    expect((await call(em, 'WhoAmI')).status).toBe(429);
  });

  it('should fail the next count matching requests when failures are set', async () => {
    em.controls.set({ failures: { status: 503, count: 2, methods: ['GET'] } });
    const post = await call(em, 'accounts', { method: 'POST', body: { name: 'Not failed' } });
    expect(post.status).toBe(204);
    expect((await call(em, 'WhoAmI')).status).toBe(503);
    expect((await call(em, 'WhoAmI')).status).toBe(503);
    expect((await call(em, 'WhoAmI')).status).toBe(200);
  });

  it('should destroy the socket without a response when dropConnections is set', async () => {
    em.controls.set({ dropConnections: { count: 1 } });
    await expect(call(em, 'WhoAmI')).rejects.toThrow();
    expect((await call(em, 'WhoAmI')).status).toBe(200);
    expect(em.requestLog.entries().map((e) => e.status)).toEqual([0, 200]);
  });

  it('should delay responses when latencyMs is set', async () => {
    em.controls.set({ latencyMs: 150 });
    const t0 = Date.now();
    expect((await call(em, 'WhoAmI')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('should not fault the sign-in endpoints when API faults are active', async () => {
    em.controls.set({ throttle: { after: 0 } });
    const r = await fetch(`${em.url}/sandbox/oauth2/token`, {
      method: 'POST',
      body: 'grant_type=refresh_token&refresh_token=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(400);
    expect(em.requestLog.entries()).toEqual([]);
  });

  it('should log every API request with headers, status and parsed body but never the token', async () => {
    em.controls.set({ failures: { status: 500, count: 1 } });
    await call(em, 'accounts?$select=name&$top=1', { headers: { Prefer: 'odata.maxpagesize=1' } });
    await call(em, 'accounts', { method: 'POST', body: { name: 'Logged' }, headers: { Prefer: 'return=representation' } });
    await call(em, 'WhoAmI', { token: null });
    const entries = em.requestLog.entries();
    expect(entries.map((e) => [e.method, e.url, e.status])).toEqual([
      ['GET', '/api/data/v9.2/accounts?$select=name&$top=1', 500],
      ['POST', '/api/data/v9.2/accounts', 201],
      ['GET', '/api/data/v9.2/WhoAmI', 401],
    ]);
    expect(entries[0].headers).toEqual({ prefer: 'odata.maxpagesize=1', hasAuthorization: true });
    expect(entries[1].body).toEqual({ name: 'Logged' });
    expect(entries[1].headers.contentType).toBe('application/json');
    expect(entries[2].headers.hasAuthorization).toBe(false);
    expect(JSON.stringify(entries)).not.toMatch(/Bearer|sbx\./);
    expect(entries.every((e) => typeof e.at === 'number')).toBe(true);
  });

  it('should serve the control endpoints when controlApi is enabled', async () => {
    const tok = await fetch(`${em.url}/_emulator/tokens`, { method: 'POST', body: JSON.stringify({ userId: em.sandboxUserId }) });
    const { token } = (await tok.json()) as { token: string };
    expect((await call(em, 'WhoAmI', { token })).status).toBe(200);
    const log = await fetch(`${em.url}/_emulator/log`);
    expect(((await log.json()) as unknown[]).length).toBe(1);
    expect((await fetch(`${em.url}/_emulator/log`, { method: 'DELETE' })).status).toBe(204);
    expect(em.requestLog.entries()).toEqual([]);
    expect((await fetch(`${em.url}/_emulator/faults`, { method: 'PUT', body: JSON.stringify({ throttle: { first: 1 } }) })).status).toBe(
      204,
    );
    expect((await call(em, 'WhoAmI')).status).toBe(429);
    expect((await fetch(`${em.url}/_emulator/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(em, 'WhoAmI')).status).toBe(200);
  });

  it('should not serve the control endpoints when controlApi is off', async () => {
    const other = await startEmulator();
    try {
      expect((await fetch(`${other.url}/_emulator/log`)).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});
