import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startEmulator } from '../index';
import { call } from '../spec-support';
import { EmulatorHandle } from '../types';
import { GZIP_BOMB_BYTES } from './hostile-responses';

/** Raw bytes and headers of one GET (fetch would inflate gzip). */
function rawGet(url: string, token: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Dataverse emulator: hostile responses', () => {
  let em: EmulatorHandle;
  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(async () => {
    await em.close();
  });
  beforeEach(() => em.controls.reset());

  it('should send a small gzip body that inflates to 1 GB, for matching paths only', async () => {
    em.controls.set({ hostileResponses: { kind: 'gzipBomb', count: 1, methods: ['GET'], pathIncludes: '/contacts' } });
    expect((await call(em, 'WhoAmI')).status).toBe(200);

    const res = await rawGet(`${em.apiUrl}contacts`, em.issueToken());

    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.body.length).toBeLessThan(8 * 1024 * 1024);
    expect(gunzipSync(res.body.subarray(0, res.body.length / 1024)).length).toBe(GZIP_BOMB_BYTES / 1024);
    expect((await call(em, 'contacts?$top=1')).status).toBe(200);
  });

  it.each([
    ['html', 'text/html', '<!DOCTYPE html>'],
    ['nullValue', 'application/json', '"value":null'],
  ] as const)('should answer %s in place of the request', async (kind, type, text) => {
    em.controls.set({ hostileResponses: { kind, count: 1 } });
    const res = await call(em, 'contacts?$top=1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(type);
    expect(res.text).toContain(text);
  });

  it('should execute a truncatedSuccess request and cut its answer', async () => {
    const before = em.store.count('contacts');
    em.controls.set({ hostileResponses: { kind: 'truncatedSuccess', count: 1, methods: ['POST'] } });

    const res = await call(em, 'contacts', {
      method: 'POST',
      body: { lastname: 'Cut' },
      headers: { 'Content-Type': 'application/json', Prefer: 'return=representation' },
    });

    expect(res.status).toBe(201);
    expect(() => JSON.parse(res.text)).toThrow();
    expect(em.store.count('contacts')).toBe(before + 1);
  });
});
