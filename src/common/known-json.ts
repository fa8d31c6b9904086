/**
 * JSON text already written for a value, so the same rows are not walked again: list_records serialises a page
 * once (it needs the length for its output budget), and the result's text and the JSON-RPC answer reuse it.
 * Only frozen values are taken: their JSON cannot go stale.
 */
const known = new WeakMap<object, string>();

/** Notes that `json` is exactly `JSON.stringify(value)`; `value` must be frozen all the way down. */
export function withKnownJson<T extends object>(value: T, json: string): T {
  if (!Object.isFrozen(value)) throw new Error('withKnownJson takes frozen values only');
  known.set(value, json);
  return value;
}

/**
 * `JSON.stringify(value)`, the same bytes: a value with known JSON gives it, a plain object is written member by
 * member (`depth` levels down) so a member with known JSON is not walked again, anything else goes to
 * JSON.stringify.
 */
export function stringifyKnown(value: unknown, depth = 1): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const json = known.get(value);
  if (json !== undefined) return json;
  if (depth <= 0 || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) {
    return JSON.stringify(value);
  }
  let out = '';
  for (const key of Object.keys(value)) {
    const member = stringifyKnown((value as Record<string, unknown>)[key], depth - 1);
    if (member !== undefined) out += `${out ? ',' : ''}${JSON.stringify(key)}:${member}`;
  }
  return `{${out}}`;
}
