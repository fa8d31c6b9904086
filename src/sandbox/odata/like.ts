/**
 * Dataverse reads wildcards inside contains/startswith/endswith arguments, as SQL LIKE does:
 * `%` any run of characters, `_` one character, `[abc]` / `[a-c]` one of, `[^abc]` none of; a wildcard
 * in brackets (`[%]`, `[_]`, `[[]`) is itself. Matching is linear-time greedy with one backtrack point,
 * so no pattern can make it slow (O(text × pattern) at worst).
 */

type Token = { star: true } | { star: false; test: (c: string) => boolean };

const cache = new Map<string, Token[]>();

function tokens(pattern: string): Token[] {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const out: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '%') {
      if (!out.length || !out[out.length - 1].star) out.push({ star: true });
    } else if (c === '_') {
      out.push({ star: false, test: () => true });
    } else if (c === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2);
      let body = pattern.slice(i + 1, end);
      i = end;
      const negate = body.length > 1 && body[0] === '^';
      if (negate) body = body.slice(1);
      const set = classTest(body);
      out.push({ star: false, test: negate ? (x) => !set(x) : set });
    } else {
      out.push({ star: false, test: (x) => x === c });
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(pattern, out);
  return out;
}

function classTest(body: string): (c: string) => boolean {
  const ranges: Array<[string, string]> = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i + 1] === '-' && i + 2 < body.length) {
      ranges.push([body[i], body[i + 2]]);
      i += 2;
    } else ranges.push([body[i], body[i]]);
  }
  return (c) => ranges.some(([lo, hi]) => c >= lo && c <= hi);
}

/** Whether `text` matches the whole `pattern` (both already lowercased by the caller). */
function matches(text: string, toks: Token[]): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const tok = toks[p];
    if (p < toks.length && !tok.star && tok.test(text[t])) {
      t++;
      p++;
    } else if (p < toks.length && tok.star) {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (p < toks.length && toks[p].star) p++;
  return p === toks.length;
}

export function likeMatch(fn: 'contains' | 'startswith' | 'endswith', text: string, needle: string): boolean {
  if (!/[%_[]/.test(needle)) {
    return fn === 'contains' ? text.includes(needle) : fn === 'startswith' ? text.startsWith(needle) : text.endsWith(needle);
  }
  const pattern = fn === 'contains' ? `%${needle}%` : fn === 'startswith' ? `${needle}%` : `%${needle}`;
  return matches(text, tokens(pattern));
}
