/**
 * Shape checks for the messages nearly every request is made of, without a schema parse: a message these accept is
 * one the SDK's schemas accept as well (json-rpc-shape.spec.ts holds them side by side). Anything else — `_meta`,
 * tasks, unusual ids, other keys — goes to the SDK's schemas, which decide and word the error.
 */

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const CALL_KEYS = new Set(['name', 'arguments']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: Set<string>): boolean {
  for (const key of Object.keys(value)) if (!allowed.has(key)) return false;
  return true;
}

/** `{jsonrpc: "2.0", id, method, params?}` with a string or safe-integer id and params without `_meta`. */
export function isPlainRequest(
  message: unknown,
): message is { jsonrpc: '2.0'; id: string | number; method: string; params?: Record<string, unknown> } {
  if (!isPlainObject(message) || !onlyKeys(message, REQUEST_KEYS)) return false;
  if (message.jsonrpc !== '2.0' || typeof message.method !== 'string') return false;
  const id = message.id;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isSafeInteger(id))) return false;
  const params = message.params;
  return params === undefined || (isPlainObject(params) && params._meta === undefined);
}

/** A tools/call whose params are exactly `{name, arguments?}`: a string name, arguments an object when given. */
export function isPlainToolCall(message: { method: string; params?: Record<string, unknown> }): message is {
  method: 'tools/call';
  params: { name: string; arguments?: Record<string, unknown> };
} {
  const params = message.params;
  if (message.method !== 'tools/call' || !isPlainObject(params) || !onlyKeys(params, CALL_KEYS)) return false;
  return typeof params.name === 'string' && (params.arguments === undefined || isPlainObject(params.arguments));
}
