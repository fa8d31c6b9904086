import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from './index';
import { call } from './spec-support';

describe('Dataverse emulator: data file persistence and determinism', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dv-emulator-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should keep created, updated and deleted records when restarted with the same data file', async () => {
    const dataFile = join(dir, 'data.json');
    const a = await startEmulator({ dataFile });
    const created = await call(a, 'accounts', { method: 'POST', body: { name: 'Persisted Ltd' } });
    const id = /\(([^)]+)\)$/.exec(created.headers.get('odata-entityid')!)![1];
    const victim = (await call(a, 'leads?$select=fullname&$top=1')).json.value[0].leadid;
    await call(a, `leads(${victim})`, { method: 'DELETE' });
    const etag = (await call(a, `accounts(${id})?$select=name`)).json['@odata.etag'];
    await a.close();
    expect(existsSync(dataFile)).toBe(true);
    expect(() => JSON.parse(readFileSync(dataFile, 'utf8'))).not.toThrow();

    const b = await startEmulator({ dataFile });
    try {
      expect(b.sandboxUserId).toBe(a.sandboxUserId);
      const back = await call(b, `accounts(${id})?$select=name`);
      expect(back.json).toMatchObject({ name: 'Persisted Ltd', '@odata.etag': etag });
      expect((await call(b, `leads(${victim})`)).status).toBe(404);
      await call(b, `accounts(${id})`, { method: 'PATCH', headers: { 'If-Match': '*' }, body: { name: 'Persisted again' } });
      expect(Number(/\d+/.exec((await call(b, `accounts(${id})?$select=name`)).json['@odata.etag'])![0])).toBeGreaterThan(
        Number(/\d+/.exec(etag)![0]),
      );
    } finally {
      await b.close();
    }
  });

  it('should generate the same records when started twice without a data file', async () => {
    const a = await startEmulator();
    const b = await startEmulator();
    try {
      const q = 'contacts?$select=fullname,emailaddress1,_parentcustomerid_value&$orderby=contactid&$top=50';
      const ra = (await call(a, q)).json.value;
      const rb = (await call(b, q)).json.value;
      expect(ra).toEqual(rb);
      expect(a.sandboxUserId).toBe(b.sandboxUserId);
      for (const [set, min] of [
        ['accounts', 300],
        ['contacts', 600],
        ['leads', 150],
        ['opportunities', 200],
        ['appointments', 150],
        ['tasks', 200],
      ] as const) {
        expect(a.store.count(set)).toBeGreaterThanOrEqual(min);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
