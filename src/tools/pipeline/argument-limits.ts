/**
 * Bounds on what any tool accepts, checked before any other work (before the tool's own schema is parsed):
 * an argument that breaks one is refused with a message that names the limit, in time linear in the
 * arguments' size and stopping at the first problem. No tool needs more than this: field names are short
 * logical names, a write sets at most a few hundred fields, lookups and parties nest three levels, and the
 * largest Dataverse text column holds 1,048,576 characters.
 */
export const ARGUMENT_LIMITS = {
  /** Characters in one object key (logical names are at most ~50; `<navigation>@odata.bind` a little more). */
  maxKeyLength: 200,
  /** Keys in one object. */
  maxKeysPerObject: 500,
  /** Keys and array items in all the arguments together. */
  maxEntries: 5_000,
  /** Levels of objects and arrays, the arguments object itself being level 1. */
  maxDepth: 10,
  /** Characters of all keys and string values together. */
  maxTotalChars: 2_000_000,
} as const;

/** An unpaired UTF-16 surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** `argument "data"` when the top-level name is a plain identifier, otherwise a neutral phrase (never the raw key). */
function where(top: string | undefined): string {
  return top !== undefined && SAFE_NAME.test(top) ? `argument "${top}"` : 'the arguments';
}

function refused(text: string): string {
  return `Nothing was done: ${text}`;
}

/**
 * The first limit the arguments break, as text for the model, or undefined when they are within bounds.
 * Iterative (no recursion), so arbitrarily deep input cannot overflow the stack.
 */
export function argumentProblem(args: unknown): string | undefined {
  const L = ARGUMENT_LIMITS;
  let entries = 0;
  const count = { chars: 0 };
  const stack: Array<{ value: unknown; depth: number; top?: string }> = [{ value: args, depth: 1 }];
  while (stack.length) {
    const { value, depth, top } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value, top, false, count);
      if (problem) return problem;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > L.maxDepth) {
      return refused(
        `${where(top)} is nested more than ${L.maxDepth} levels deep; at most ${L.maxDepth} levels of objects and arrays are accepted.`,
      );
    }
    if (Array.isArray(value)) {
      entries += value.length;
      if (entries > L.maxEntries) return tooMany(L.maxEntries);
      for (const item of value) stack.push({ value: item, depth: depth + 1, top });
      continue;
    }
    let keys = 0;
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      if (++keys > L.maxKeysPerObject) {
        return refused(
          `${where(top)} has more than ${L.maxKeysPerObject} keys in one object; at most ${L.maxKeysPerObject} are accepted (split a large write into several calls).`,
        );
      }
      if (++entries > L.maxEntries) return tooMany(L.maxEntries);
      const name = depth === 1 ? key : top;
      const problem = textProblem(key, name, true, count);
      if (problem) return problem;
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, top: name });
    }
  }
  return undefined;
}

/** A string (a value, or a key with `isKey`) over a limit, counted into the arguments' total characters. */
function textProblem(s: string, top: string | undefined, isKey: boolean, count: { chars: number }): string | undefined {
  const L = ARGUMENT_LIMITS;
  if (isKey && s.length > L.maxKeyLength) {
    return refused(
      `a key in ${where(top)} is ${s.length} characters long; keys may have at most ${L.maxKeyLength}. ` +
        'Use the logical field names from get_table_schema.',
    );
  }
  count.chars += s.length;
  if (count.chars > L.maxTotalChars) {
    return refused(`the arguments hold more than ${L.maxTotalChars} characters in total; at most ${L.maxTotalChars} are accepted.`);
  }
  if (LONE_SURROGATE.test(s)) {
    return refused(
      `${isKey ? 'a key in ' : ''}${where(top)} contains an unpaired UTF-16 surrogate (half of a character, e.g. \\ud800 alone); ` +
        'send well-formed Unicode text.',
    );
  }
  return undefined;
}

function tooMany(max: number): string {
  return refused(`the arguments hold more than ${max} keys and array items in total; at most ${max} are accepted.`);
}
