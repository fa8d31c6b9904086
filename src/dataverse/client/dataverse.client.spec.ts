import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ToolError } from '../../common/tool-error';
import { startEmulator, EmulatorHandle } from '../../sandbox';
import { DataverseClient, FORMATTED_ANNOTATIONS } from './dataverse.client';
import { dataverseKindOf } from './dataverse-error';
import { startReadPath, ReadPathFixture } from '../testing/read-path.fixture';

describe('DataverseClient against the emulator', () => {
  let emulator: EmulatorHandle;
  let f: ReadPathFixture;
  let dv: DataverseClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    f = await startReadPath({ emulator, client: { maxThrottleWaitMs: 2500 } });
    dv = f.get(DataverseClient);
  });
  afterAll(async () => {
    await f.close();
    await emulator.close();
  });
  beforeEach(() => {
    emulator.controls.reset();
    emulator.requestLog.clear();
    f.tokens.refreshWorks = true;
  });

  const apiEntries = () => emulator.requestLog.entries();

  it('should resolve the account once per tool call and still take a token for every request', async () => {
    const before = f.tokens.calls.length;
    const { result, ctx } = await f.inCall(async () => {
      const first = await dv.currentAccount();
      const again = await dv.currentAccount();
      await dv.get('WhoAmI');
      await dv.get('WhoAmI');
      return { first, again };
    });
    const inCall = f.tokens.calls.length - before;
    const outside = await dv.currentAccount();

    expect(result.again).toBe(result.first);
    expect(ctx.account).toBe(result.first);
    expect(ctx.userKey).toBe(emulator.sandboxUserId);
    // One for the account, one for each request.
    expect(inCall).toBe(3);
    // Outside a call nothing is remembered.
    expect(outside).toEqual(result.first);
    expect(f.tokens.calls.length - before).toBe(4);
  });

  it('should send Prefer with annotations and page size, and record REQ_IDs and the user in the call context', async () => {
    const { result, ctx } = await f.inCall(() =>
      dv.get<{ value: unknown[] }>('contacts', {
        query: { $select: 'fullname' },
        prefer: { annotations: FORMATTED_ANNOTATIONS, maxPageSize: 3 },
      }),
    );

    expect(result.body.value).toHaveLength(3);
    const [entry] = apiEntries();
    expect(entry.headers.prefer).toBe(`odata.include-annotations="${FORMATTED_ANNOTATIONS.join(',')}",odata.maxpagesize=3`);
    expect(entry.headers.hasAuthorization).toBe(true);
    expect(entry.url).toBe('/api/data/v9.2/contacts?$select=fullname');
    expect(ctx.dataverseRequestIds).toHaveLength(1);
    expect(ctx.userKey).toBe(emulator.sandboxUserId);
  });

  it.each([
    ["fullname eq 'O''Brien'"],
    ["fullname eq 'a&$top=1'"],
    ["contains(fullname,'%26')"],
    ["fullname eq 'x'\n&$select=contactid"],
    ["fullname eq '#' or fullname eq '$top=1'"],
  ])('should deliver a hostile filter as one $filter value: %j', async (filter) => {
    await dv.get('contacts', { query: { $select: 'fullname', $filter: filter } }).catch(() => undefined);

    const [entry] = apiEntries();
    const query = new URLSearchParams(entry.url.slice(entry.url.indexOf('?') + 1));
    expect([...query.keys()]).toEqual(['$select', '$filter']);
    expect(query.get('$filter')).toBe(filter);
  });

  it('should wait out a 429 Retry-After and then succeed', async () => {
    emulator.controls.set({ throttle: { first: 1, retryAfterSeconds: 1 } });
    const started = Date.now();

    const res = await dv.get('WhoAmI');

    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(apiEntries().map((e) => e.status)).toEqual([429, 200]);
  });

  it('should stop waiting when the throttle budget is spent and say when to try again', async () => {
    emulator.controls.set({ throttle: { first: 10, retryAfterSeconds: 1 } });

    const error = await dv.get('WhoAmI').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).kind).toBe('throttled');
    expect((error as ToolError).message).toMatch(/Dataverse is throttling requests .*try again in 1 s/);
    expect(apiEntries().length).toBe(3); // 2 s of waiting fit into the 2.5 s budget
  });

  it('should give up on a 429 storm with Retry-After: 0 after a bounded number of requests', async () => {
    emulator.controls.set({ throttle: { after: 0, retryAfterSeconds: 0 } });

    const error = await dv.get('WhoAmI').catch((e: unknown) => e);

    expect((error as ToolError).kind).toBe('throttled');
    expect(apiEntries().length).toBe(11); // the first try and 10 retries, not a tight loop
  });

  it('should retry a POST after a 429 (Dataverse did not run it)', async () => {
    emulator.controls.set({ throttle: { first: 1, retryAfterSeconds: 0 } });

    const created = await dv.post('contacts', { firstname: 'Thr', lastname: 'Ottled' });

    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(apiEntries().map((e) => `${e.method} ${e.status}`)).toEqual(['POST 429', 'POST 204']);
    await dv.delete('contacts', created.id!);
  });

  it('should retry a GET on 503 with backoff', async () => {
    emulator.controls.set({ failures: { status: 503, count: 2 } });

    const res = await dv.get('WhoAmI');

    expect(res.status).toBe(200);
    expect(apiEntries().map((e) => e.status)).toEqual([503, 503, 200]);
  });

  it('should give up on a GET after the bounded attempts', async () => {
    emulator.controls.set({ failures: { status: 502, count: 5 } });

    const error = await dv.get('WhoAmI').catch((e: unknown) => e);

    expect(dataverseKindOf(error)).toBe('unavailable');
    expect(apiEntries()).toHaveLength(3);
  });

  it('should try an optional read once: no retry on 502 and no wait on 429 when singleAttempt is set', async () => {
    emulator.controls.set({ failures: { status: 502, count: 5 } });
    const unavailable = await dv.get('WhoAmI', { singleAttempt: true }).catch((e: unknown) => e);
    emulator.controls.reset();
    emulator.controls.set({ throttle: { first: 1, retryAfterSeconds: 1 } });
    const started = Date.now();
    const throttled = await dv.get('WhoAmI', { singleAttempt: true }).catch((e: unknown) => e);

    expect(dataverseKindOf(unavailable)).toBe('unavailable');
    expect((throttled as ToolError).kind).toBe('throttled');
    expect(Date.now() - started).toBeLessThan(900);
    expect(apiEntries().map((e) => e.status)).toEqual([502, 429]);
  });

  it('should never retry a POST on 503, and say the change may have been applied', async () => {
    emulator.controls.set({ failures: { status: 503, count: 1, methods: ['POST'] } });
    const before = emulator.store.count('contacts');

    const error = await dv.post('contacts', { lastname: 'Once' }).catch((e: unknown) => e);

    expect(dataverseKindOf(error)).toBe('unavailable');
    expect((error as Error).message).toContain('may or may not have been applied');
    expect(apiEntries().map((e) => `${e.method} ${e.status}`)).toEqual(['POST 503']);
    expect(emulator.store.count('contacts')).toBe(before);
  });

  it('should retry a GET whose connection was dropped', async () => {
    emulator.controls.set({ dropConnections: { count: 1, methods: ['GET'] } });

    const res = await dv.get('WhoAmI');

    expect(res.status).toBe(200);
    expect(apiEntries().map((e) => e.status)).toEqual([0, 200]);
  });

  it('should not retry a PATCH whose connection was dropped', async () => {
    emulator.controls.set({ dropConnections: { count: 1, methods: ['PATCH'] } });
    const page = await dv.get<{ value: Array<{ contactid: string }> }>('contacts', {
      query: { $select: 'contactid' },
      prefer: { maxPageSize: 1 },
    });
    const id = page.body.value[0].contactid;
    emulator.requestLog.clear();

    const error = await dv.patch('contacts', id, { jobtitle: 'x' }).catch((e: unknown) => e);

    expect(dataverseKindOf(error)).toBe('network');
    expect(apiEntries().map((e) => `${e.method} ${e.status}`)).toEqual(['PATCH 0']);
  });

  it('should send If-Match * on PATCH so an update never creates a record', async () => {
    const error = await dv.patch('contacts', '00000000-0000-0000-0000-0000000000aa', { lastname: 'Ghost' }).catch((e: unknown) => e);

    expect(dataverseKindOf(error)).toBe('not_found');
    expect(apiEntries()[0].headers.ifMatch).toBe('*');
    expect(emulator.store.get('contacts', '00000000-0000-0000-0000-0000000000aa')).toBeUndefined();
  });

  it('should refresh the token once on 401 and retry', async () => {
    f.tokens.revoke();
    const before = f.tokens.calls.length;

    const res = await dv.get('WhoAmI');

    expect(res.status).toBe(200);
    expect(f.tokens.calls.slice(before)).toEqual([{}, { forceRefresh: true }]);
    expect(apiEntries().map((e) => e.status)).toEqual([401, 200]);
  });

  it('should ask to sign in again when the refreshed token is refused too', async () => {
    f.tokens.revoke();
    f.tokens.refreshWorks = false;

    const error = await dv.get('WhoAmI').catch((e: unknown) => e);

    expect((error as ToolError).kind).toBe('sign_in_required');
    expect((error as ToolError).message).toMatch(/sign in again/);
    expect(apiEntries().map((e) => e.status)).toEqual([401, 401]);
    f.tokens.refreshWorks = true;
    await f.tokens.getToken(undefined, { forceRefresh: true });
  });

  it('should map Dataverse errors to actionable text', async () => {
    const field = await dv.get('contacts', { query: { $select: 'Name' }, context: { table: 'contact' } }).catch((e: unknown) => e);
    expect((field as Error).message).toMatch(/Field "Name" does not exist on table contact; call get_table_schema/);

    const filter = await dv.get('contacts', { query: { $filter: 'fullname eqq 1' } }).catch((e: unknown) => e);
    expect(dataverseKindOf(filter)).toBe('bad_filter');
    expect((filter as Error).message).toContain("contains(fullname,'smith')");

    const missing = await dv
      .get('contacts(00000000-0000-0000-0000-0000000000ab)', { context: { table: 'contact', id: '00000000-0000-0000-0000-0000000000ab' } })
      .catch((e: unknown) => e);
    expect(dataverseKindOf(missing)).toBe('not_found');
    expect((missing as Error).message).toContain('No contact record with id 00000000-0000-0000-0000-0000000000ab');
  });

  it('should create with return=representation and read the id', async () => {
    const created = await dv.post('contacts', { lastname: 'Repr' }, { returnRepresentation: true, idAttribute: 'contactid' });

    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.record?.lastname).toBe('Repr');
    expect(apiEntries()[0].headers.prefer).toContain('return=representation');
    await dv.delete('contacts', created.id!);
  });
});

describe('DataverseClient headers and timeouts', () => {
  let server: Server;
  let seen: IncomingHttpHeaders[] = [];
  let delayMs = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      const timer = setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, {
          'Content-Type': 'application/json; odata.metadata=minimal',
          REQ_ID: 'req-1',
          'x-ms-service-request-id': 'svc-1',
        });
        res.end('{"ok":true}');
      }, delayMs);
      timer.unref();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  async function client(timeoutMs = 5000) {
    const port = (server.address() as AddressInfo).port;
    const emulator = await startEmulator();
    const f = await startReadPath({ emulator, client: { timeoutMs } });
    f.config.dataverseApiUrl = `http://127.0.0.1:${port}/api/data/v9.2/`;
    return { f, emulator, dv: f.get(DataverseClient) };
  }

  it('should send the OData headers on every call and Content-Type with a body', async () => {
    seen = [];
    delayMs = 0;
    const { f, emulator, dv } = await client();
    try {
      const { ctx } = await f.inCall(() => dv.get('WhoAmI'));
      await dv.post('contacts', { lastname: 'x' });

      expect(seen[0]).toMatchObject({
        'odata-maxversion': '4.0',
        'odata-version': '4.0',
        accept: 'application/json',
        authorization: expect.stringMatching(/^Bearer /),
      });
      expect(seen[0]['content-type']).toBeUndefined();
      expect(seen[1]['content-type']).toBe('application/json; charset=utf-8');
      expect(ctx.dataverseRequestIds).toEqual(['req-1', 'svc-1']);
    } finally {
      await f.close();
      await emulator.close();
    }
  });

  it('should time out a call that gets no answer', async () => {
    delayMs = 1500;
    const { f, emulator, dv } = await client(300);
    try {
      const error = await dv.get('WhoAmI').catch((e: unknown) => e);
      expect(dataverseKindOf(error)).toBe('timeout');
      expect((error as Error).message).toContain('did not answer');
    } finally {
      await f.close();
      await emulator.close();
      delayMs = 0;
    }
  });
});
