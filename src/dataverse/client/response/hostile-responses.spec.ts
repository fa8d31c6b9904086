import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ToolError } from '../../../common/tool-error';
import { DataverseClient } from '../dataverse.client';
import { dataverseKindOf } from '../dataverse-error';
import { startReadPath, ReadPathFixture } from '../../testing/read-path.fixture';

type Script = (req: IncomingMessage, res: ServerResponse) => void;

const LIMIT = 1024 * 1024;
const JSON_TYPE = 'application/json; odata.metadata=minimal';
const ID = '00000000-0000-0000-0000-0000000000aa';

/** Concatenated gzip members of 64 KB of spaces: a small body that inflates to `bytes`. */
function gzipBomb(bytes: number): Buffer {
  const member = gzipSync(Buffer.alloc(64 * 1024, 0x20));
  return Buffer.concat(Array.from({ length: Math.ceil(bytes / (64 * 1024)) }, () => member));
}

describe('DataverseClient with hostile responses', () => {
  let server: Server;
  let script: Script;
  let requests = 0;
  let f: ReadPathFixture;
  let dv: DataverseClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => script(req, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    f = await startReadPath({ client: { responseLimits: { maxRawBytes: LIMIT, maxDecodedBytes: LIMIT } } });
    f.config.dataverseApiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/data/v9.2/`;
    dv = f.get(DataverseClient);
  });
  afterAll(async () => {
    await f.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => (requests = 0));

  const reply =
    (status: number, headers: Record<string, string | number>, body: string | Buffer): Script =>
    (_req, res) => {
      res.writeHead(status, headers);
      res.end(body);
    };
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );

  it('should stop inflating a gzip bomb at the limit and say the answer was too large', async () => {
    const bomb = gzipBomb(64 * LIMIT);
    script = reply(200, { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip', 'Content-Length': bomb.length }, bomb);
    const before = process.memoryUsage().rss;

    const error = await failure(dv.get('contacts', { expect: { rows: [] } }));

    expect(dataverseKindOf(error)).toBe('bad_response');
    expect((error as Error).message).toContain('larger than 1 MB');
    expect((error as Error).message).toContain('smaller top');
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * LIMIT);
  });

  it('should refuse a raw body over the limit, with or without Content-Length', async () => {
    const big = Buffer.alloc(LIMIT + 10, 0x20);
    script = reply(200, { 'Content-Type': JSON_TYPE, 'Content-Length': big.length }, big);
    expect(dataverseKindOf(await failure(dv.get('contacts')))).toBe('bad_response');

    script = (_req, res) => {
      res.writeHead(200, { 'Content-Type': JSON_TYPE });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (!res.destroyed && sent < 4 * LIMIT) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const error = await failure(dv.get('contacts'));
    expect((error as ToolError).details).toMatchObject({ dataverseKind: 'bad_response' });
    expect((error as Error).message).toContain('larger than 1 MB');
  });

  it.each<[string, Script, string]>([
    [
      'an undecodable gzip body',
      reply(200, { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip' }, 'not gzip at all'),
      'could not be decoded',
    ],
    ['an unknown content encoding', reply(200, { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'br' }, 'xx'), 'could not be decoded'],
    ['an HTML page', reply(200, { 'Content-Type': 'text/html' }, '<html><body>Sign in</body></html>'), 'not JSON'],
    ['JSON under a wrong content type', reply(200, { 'Content-Type': 'text/plain' }, '{"value":[]}'), 'not JSON'],
    ['truncated JSON', reply(200, { 'Content-Type': JSON_TYPE }, '{"value":[{"fullname":"Ab'), 'incomplete or invalid'],
    ['{"value": null}', reply(200, { 'Content-Type': JSON_TYPE }, '{"value":null}'), 'value is not a list'],
    ['rows that are not objects', reply(200, { 'Content-Type': JSON_TYPE }, '{"value":[null]}'), 'a row is not an object'],
    ['an empty 200', reply(200, { 'Content-Type': JSON_TYPE }, ''), 'empty body'],
    ['JSON null', reply(200, { 'Content-Type': JSON_TYPE }, 'null'), 'not a JSON object'],
  ])('should turn %s on a read into a clear error that changes nothing', async (_label, s, text) => {
    script = s;

    const error = await failure(dv.get('contacts', { expect: { rows: [] } }));

    expect(error).toBeInstanceOf(ToolError);
    expect(dataverseKindOf(error)).toBe('bad_response');
    expect((error as Error).message).toContain(text);
    expect((error as Error).message).toContain('Nothing was changed');
  });

  it('should check the keys a read needs', async () => {
    script = reply(200, { 'Content-Type': JSON_TYPE }, '{"value":[{"LogicalName":null}]}');
    expect(((await failure(dv.get('EntityDefinitions', { expect: { rows: ['LogicalName'] } }))) as Error).message).toContain(
      'a row has no LogicalName',
    );
    script = reply(200, { 'Content-Type': JSON_TYPE }, '{"UserId":null}');
    expect(((await failure(dv.get('WhoAmI', { expect: { strings: ['UserId'] } }))) as Error).message).toContain('UserId missing');
  });

  it('should say a create whose success reply is unreadable may have created the record, and not retry it', async () => {
    script = reply(201, { 'Content-Type': JSON_TYPE }, '{"contactid":"' + ID.slice(0, 10));

    const error = await failure(dv.post('contacts', { lastname: 'x' }, { returnRepresentation: true, idAttribute: 'contactid' }));

    expect((error as Error).message).toContain('HTTP 201');
    expect((error as Error).message).toContain('the record may have been created. Check with list_records before retrying');
    expect((error as Error).message).not.toMatch(/try again/i);
    expect(requests).toBe(1);
  });

  it('should say the same of an update and a delete whose reply is unreadable', async () => {
    script = reply(200, { 'Content-Type': 'text/html' }, '<html></html>');
    const update = await failure(dv.patch('contacts', ID, { lastname: 'x' }, { returnRepresentation: true }));
    expect((update as Error).message).toContain('the change may have been applied. Check with get_record before retrying');

    const del = await failure(dv.delete('contacts', ID));
    expect((del as Error).message).toContain('the record may have been deleted');
    expect(requests).toBe(2);
  });

  it('should still classify an error status whose body is too large by its status (and retry a GET 503)', async () => {
    const big = Buffer.alloc(LIMIT + 10, 0x20);
    script = reply(503, { 'Content-Type': 'text/html', 'Content-Length': big.length }, big);

    const error = await failure(dv.get('contacts'));

    expect(dataverseKindOf(error)).toBe('unavailable');
    expect(requests).toBe(3);
  });

  it('should treat a success body cut off mid-way as a dropped connection: a POST says it may have applied', async () => {
    script = (_req, res) => {
      res.writeHead(201, { 'Content-Type': JSON_TYPE, 'Content-Length': 1000 });
      res.write('{"contactid":');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const error = await failure(dv.post('contacts', { lastname: 'x' }));
    expect(dataverseKindOf(error)).toBe('network');
    expect((error as Error).message).toContain('may or may not have been applied');
    expect(requests).toBe(1);
  });
});
