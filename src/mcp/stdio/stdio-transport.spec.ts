import { PassThrough } from 'node:stream';
import { StdioTransport } from './stdio-transport';

function transport(maxLineBytes?: number) {
  const input = new PassThrough();
  const output = new PassThrough();
  const t = new StdioTransport(input, output, maxLineBytes);
  const messages: unknown[] = [];
  const errors: string[] = [];
  t.onmessage = (m) => messages.push(m);
  t.onerror = (e) => errors.push(e.message);
  return { t, input, output, messages, errors };
}

const ping = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });

describe('StdioTransport', () => {
  it('should frame messages split across chunks, several per chunk and with CRLF endings', async () => {
    const { t, input, messages } = transport();
    await t.start();
    const text = `${ping(1)}\n${ping(2)}\r\n${ping(3)}\n`;
    input.write(Buffer.from(text.slice(0, 10)));
    input.write(Buffer.from(text.slice(10, 40)));
    input.write(Buffer.from(text.slice(40)));

    expect(messages).toEqual([1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, method: 'ping' })));
  });

  it('should give intercepted messages to the interceptor only, unparsed', async () => {
    const { t, input, messages } = transport();
    const seen: unknown[] = [];
    t.intercept = (m) => (seen.push(m), (m as { id: number }).id === 1);
    await t.start();
    input.write(`${ping(1)}\n${ping(2)}\n`);

    expect(seen).toHaveLength(2);
    expect(messages).toEqual([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
  });

  it('should report a line that is not JSON or not JSON-RPC and go on with the next', async () => {
    const { t, input, messages, errors } = transport();
    await t.start();
    input.write(`not json\n{"hello":1}\n${ping(7)}\n`);

    expect(errors).toHaveLength(2);
    expect(messages).toEqual([{ jsonrpc: '2.0', id: 7, method: 'ping' }]);
  });

  it('should drop a line over the limit, in one chunk or many, and read the next one', async () => {
    const { t, input, messages, errors } = transport(64);
    await t.start();
    input.write(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(100)}"}}\n${ping(2)}\n`);
    for (let i = 0; i < 5; i++) input.write('y'.repeat(40));
    input.write(`\n${ping(3)}\n`);

    expect(errors).toEqual(['A message over 64 bytes was dropped', 'A message over 64 bytes was dropped']);
    expect(messages).toEqual([2, 3].map((id) => ({ jsonrpc: '2.0', id, method: 'ping' })));
  });

  it('should write one line per message and stop reading once closed', async () => {
    const { t, input, output, messages } = transport();
    let closed = false;
    t.onclose = () => (closed = true);
    await t.start();
    await t.send({ jsonrpc: '2.0', id: 1, result: {} });
    await t.write('{"raw":true}\n');
    await t.close();
    input.write(`${ping(1)}\n`);

    expect(output.read().toString()).toBe('{"jsonrpc":"2.0","id":1,"result":{}}\n{"raw":true}\n');
    expect(messages).toEqual([]);
    expect(closed).toBe(true);
  });
});
