import { changeSetBatch, parseBatchResponse } from '../../dataverse/batch/multipart';
import { startEmulator } from '../server';
import { call } from '../spec-support';
import { EmulatorHandle } from '../types';

/** The emulator's $batch, driven by hand-written multipart bodies and by the server's own builder. */
describe('sandbox $batch', () => {
  let em: EmulatorHandle;
  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(() => em.close());

  const post = (boundary: string, body: string, headers: Record<string, string> = {}) =>
    call(em, '$batch', { method: 'POST', headers: { 'Content-Type': `multipart/mixed; boundary="${boundary}"`, ...headers }, body });

  function independent(boundary: string, parts: string[]): string {
    return (
      parts.map((p) => `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${p}\r\n`).join('') +
      `--${boundary}--\r\n`
    );
  }
  const createTask = (subject: string) =>
    `POST /api/data/v9.2/tasks HTTP/1.1\r\nContent-Type: application/json; type=entry\r\n\r\n${JSON.stringify({ subject })}`;
  const tasksNamed = (s: string) => em.store.count('tasks', (r) => r.subject === s);

  it('should apply a change set and answer each request with its Content-ID and OData-EntityId', async () => {
    const { boundary, body } = changeSetBatch([
      { method: 'POST', url: `${em.apiUrl}tasks`, body: { subject: 'cs-a' } },
      { method: 'POST', url: `${em.apiUrl}tasks`, body: { subject: 'cs-b' } },
    ]);

    const r = await post(boundary, body);

    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(r.text).toMatch(/--changesetresponse_/);
    const parts = parseBatchResponse(r.text, r.headers.get('content-type') ?? '');
    expect(parts.map((p) => [p.contentId, p.status])).toEqual([
      ['1', 204],
      ['2', 204],
    ]);
    const id = /\(([0-9a-f-]{36})\)$/.exec(parts[1].headers['odata-entityid'])![1];
    expect(em.store.get('tasks', id)?.subject).toBe('cs-b');
  });

  it('should roll back a change set at its first failure and answer 400 with only the failing request', async () => {
    const ghost = '0badc0de-0000-4000-8000-00000000000a';
    const { boundary, body } = changeSetBatch([
      { method: 'POST', url: `${em.apiUrl}tasks`, body: { subject: 'rollback-1' } },
      { method: 'PATCH', url: `${em.apiUrl}tasks(${ghost})`, headers: { 'If-Match': '*' }, body: { subject: 'x' } },
      { method: 'POST', url: `${em.apiUrl}tasks`, body: { subject: 'rollback-3' } },
    ]);

    const r = await post(boundary, body);

    expect(r.status).toBe(400);
    const parts = parseBatchResponse(r.text, r.headers.get('content-type') ?? '');
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ contentId: '2', status: 404, body: { error: { code: '0x80040217' } } });
    expect(tasksNamed('rollback-1') + tasksNamed('rollback-3')).toBe(0);
  });

  it('should stop independent requests at the first failure, or go on with odata.continue-on-error', async () => {
    const b = 'batch_plain';
    const body = independent(b, [
      createTask('plain-1'),
      `PATCH /api/data/v9.2/tasks(0badc0de-0000-4000-8000-00000000000b) HTTP/1.1\r\nIf-Match: *\r\nContent-Type: application/json\r\n\r\n{"subject":"x"}`,
      createTask('plain-3'),
    ]);

    const stopped = await post(b, body);
    expect(stopped.status).toBe(400);
    expect(parseBatchResponse(stopped.text, stopped.headers.get('content-type') ?? '').map((p) => p.status)).toEqual([204, 404]);
    expect(tasksNamed('plain-1')).toBe(1);
    expect(tasksNamed('plain-3')).toBe(0);

    const goOn = await post(b, body.replace(/"plain-/g, '"goon-'), { Prefer: 'odata.continue-on-error' });
    expect(goOn.status).toBe(200);
    expect(goOn.headers.get('preference-applied')).toBe('odata.continue-on-error');
    expect(parseBatchResponse(goOn.text, goOn.headers.get('content-type') ?? '').map((p) => p.status)).toEqual([204, 404, 204]);
    expect(tasksNamed('goon-1') + tasksNamed('goon-3')).toBe(2);
  });

  it('should resolve $<Content-ID> to a URI made earlier in the change set and refuse a forward reference', async () => {
    const ok = changeSetBatch([
      { method: 'POST', url: `${em.apiUrl}tasks`, body: { subject: 'ref-before' } },
      { method: 'PATCH', url: '$1', headers: { 'If-Match': '*' }, body: { subject: 'ref-after' } },
    ]);
    expect((await post(ok.boundary, ok.body)).status).toBe(200);
    expect(tasksNamed('ref-after')).toBe(1);

    const forward = changeSetBatch([{ method: 'PATCH', url: '$2', body: { subject: 'y' } }]);
    const r = await post(forward.boundary, forward.body);
    expect(r.status).toBe(400);
    expect(r.text).toContain("Content-ID Reference: '$2' does not exist in the batch context.");
  });

  it('should refuse more than 1000 requests, a GET inside a change set, and a body that is not multipart', async () => {
    const many = changeSetBatch(
      Array.from({ length: 1001 }, () => ({ method: 'POST' as const, url: `${em.apiUrl}tasks`, body: { subject: 'too-many' } })),
    );
    const tooMany = await post(many.boundary, many.body);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toContain('exceeds the limit of 1000');
    expect(tasksNamed('too-many')).toBe(0);

    const withGet = changeSetBatch([{ method: 'POST', url: `${em.apiUrl}tasks`, body: { subject: 'g' } }]);
    const r = await post(withGet.boundary, withGet.body.replace('POST ', 'GET '));
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain('GET requests are not allowed inside a change set');

    const notMultipart = await call(em, '$batch', { method: 'POST', body: { subject: 'json' } });
    expect(notMultipart.status).toBe(400);
  });
});
