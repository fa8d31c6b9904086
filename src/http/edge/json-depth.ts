const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

export interface JsonShapeLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Most arrays, objects and list separators in the whole text: bounds what parsing it would build. */
  maxItems: number;
  /** Most elements of a top-level array (a JSON-RPC batch). */
  maxBatch: number;
}

/** `syntax`: brackets that do not balance or a string that never ends, so not JSON whatever else it holds. */
export type JsonShapeProblem = 'depth' | 'items' | 'batch' | 'syntax';

/**
 * Measures JSON text (UTF-8 bytes) against shape limits in one pass without parsing, so a hostile body costs
 * a linear scan with an early exit instead of a parse that builds millions of values (or a recursion).
 * Brackets and commas inside strings do not count; every byte of a multi-byte UTF-8 character is >= 0x80,
 * so none is taken for a bracket. Text that passes may still not be JSON: the parser decides that.
 */
export function jsonShapeProblem(bytes: Uint8Array, limits: JsonShapeLimits): JsonShapeProblem | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = buf.length;
  let depth = 0;
  let items = 0;
  let batch = 0;
  let start = 0;
  while (start < n && buf[start] <= 0x20) start++;
  const topLevelArray = buf[start] === OPEN_ARRAY;
  // The next backslash at or after the scan position (n: none), found natively and only moved forward.
  let backslash = -1;
  for (let i = start; i < n; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      // A string: jump to its closing quote; strings holding escapes are walked byte by byte.
      let quote = buf.indexOf(QUOTE, i + 1);
      if (quote < 0) return 'syntax';
      if (backslash < i + 1) backslash = nextOr(buf, BACKSLASH, i + 1, n);
      if (backslash < quote) {
        quote = -1;
        for (let j = backslash; j < n; j++) {
          const d = buf[j];
          if (d === BACKSLASH) j++;
          else if (d === QUOTE) {
            quote = j;
            break;
          }
        }
        if (quote < 0) return 'syntax';
      }
      i = quote;
    } else if (c === COMMA) {
      if (++items > limits.maxItems) return 'items';
      if (depth === 1 && topLevelArray && ++batch >= limits.maxBatch) return 'batch';
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limits.maxDepth) return 'depth';
      if (++items > limits.maxItems) return 'items';
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (--depth < 0) return 'syntax';
    }
  }
  return depth === 0 ? undefined : 'syntax';
}

function nextOr(buf: Buffer, value: number, from: number, none: number): number {
  const at = buf.indexOf(value, from);
  return at < 0 ? none : at;
}
