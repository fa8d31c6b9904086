import { CallToolRequestSchema, JSONRPCRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { isPlainRequest, isPlainToolCall } from './json-rpc-shape';

const requests: unknown[] = [
  { jsonrpc: '2.0', id: 1, method: 'ping' },
  { jsonrpc: '2.0', id: 'a', method: 'tools/list', params: {} },
  { jsonrpc: '2.0', id: 0, method: 'tools/call', params: { name: 'x', arguments: { a: 1 } } },
  { jsonrpc: '2.0', id: 1.5, method: 'ping' },
  { jsonrpc: '2.0', id: 2 ** 60, method: 'ping' },
  { jsonrpc: '2.0', id: null, method: 'ping' },
  { jsonrpc: '2.0', id: true, method: 'ping' },
  { jsonrpc: '1.0', id: 1, method: 'ping' },
  { jsonrpc: '2.0', id: 1, method: 5 },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: [1] },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: null },
  { jsonrpc: '2.0', id: 1, method: 'ping', extra: 1 },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 1, result: {} },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { progressToken: 1 } } },
  [],
  null,
  'ping',
];

const calls: unknown[] = [
  { name: 'x' },
  { name: 'x', arguments: {} },
  { name: 'x', arguments: { nested: { a: [1] } } },
  { name: 5 },
  {},
  { name: 'x', arguments: [1] },
  { name: 'x', arguments: null },
  { name: 'x', arguments: 'a' },
  { name: 'x', task: {} },
  { name: 'x', _meta: {} },
];

describe('JSON-RPC shape checks', () => {
  it.each(requests.map((r) => [JSON.stringify(r), r]))('should accept %s only when the SDK schema accepts it', (_label, message) => {
    const fast = isPlainRequest(message);
    // Never accepted where the SDK refuses; the refused ones go on to the SDK schema, which decides.
    if (fast) expect(JSONRPCRequestSchema.safeParse(message).success).toBe(true);
    // The common requests (the first three) skip the schema parse.
    expect(fast).toBe(requests.indexOf(message) < 3);
  });

  it.each(calls.map((c) => [JSON.stringify(c), c]))(
    'should accept the tools/call params %s only when the SDK schema does',
    (_label, params) => {
      const request = { method: 'tools/call', params: params as Record<string, unknown> };
      const fast = isPlainToolCall(request);
      if (fast) expect(CallToolRequestSchema.safeParse(request).success).toBe(true);
      expect(fast).toBe(calls.indexOf(params) < 3);
    },
  );
});
