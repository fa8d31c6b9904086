/**
 * A plain-JavaScript check for the simple argument schemas most tools have, compiled once from the zod schema: an
 * object of strings, numbers, booleans, enums, literals, arrays and unions of those, optional or not, with length and
 * range limits. It only ever says "valid, and here is exactly what zod would hand the tool" (the same object zod's
 * parse gives: known keys only, arrays copied); for anything else — an invalid value, a schema construct it does not
 * know — it answers undefined and zod parses the call as before, with zod's own error text. zod's parse of a plain
 * call costs more than the rest of the dispatcher; this costs a walk of the arguments.
 */

type Parse = (value: unknown) => { ok: true; value: unknown } | undefined;

interface ZodDef {
  type: string;
  coerce?: boolean;
  shape?: Record<string, ZodLike>;
  catchall?: unknown;
  checks?: Array<{ _zod: { def: Record<string, unknown> } }>;
  innerType?: ZodLike;
  options?: ZodLike[];
  element?: ZodLike;
  entries?: Record<string, unknown>;
  values?: unknown[];
}

interface ZodLike {
  _zod: { def: ZodDef };
}

const VALID = <T>(value: T) => ({ ok: true as const, value });

/** The check of an object schema's arguments, or undefined when the schema has something this does not cover. */
export function compileArguments(schema: unknown): ((args: unknown) => Record<string, unknown> | undefined) | undefined {
  const parse = compile(schema as ZodLike);
  if (!parse || (schema as ZodLike)._zod.def.type !== 'object') return undefined;
  return (args) => parse(args)?.value as Record<string, unknown> | undefined;
}

function compile(schema: ZodLike | undefined): Parse | undefined {
  const def = schema?._zod?.def;
  if (!def || def.coerce) return undefined;
  switch (def.type) {
    case 'object':
      return objectOf(def);
    case 'optional': {
      const inner = compile(def.innerType);
      return inner && ((v) => (v === undefined ? VALID(undefined) : inner(v)));
    }
    case 'string': {
      const length = lengthLimits(def);
      return length && ((v) => (typeof v === 'string' && length(v.length) ? VALID(v) : undefined));
    }
    case 'number': {
      const range = numberLimits(def);
      return range && ((v) => (typeof v === 'number' && Number.isFinite(v) && range(v) ? VALID(v) : undefined));
    }
    case 'boolean':
      return def.checks?.length ? undefined : (v) => (typeof v === 'boolean' ? VALID(v) : undefined);
    case 'enum': {
      if (def.checks?.length || !def.entries) return undefined;
      const allowed = new Set(Object.values(def.entries));
      return (v) => (allowed.has(v) ? VALID(v) : undefined);
    }
    case 'literal': {
      if (def.checks?.length || !def.values) return undefined;
      const allowed = new Set(def.values);
      return (v) => (allowed.has(v) ? VALID(v) : undefined);
    }
    case 'array': {
      const element = compile(def.element);
      const length = lengthLimits(def);
      if (!element || !length) return undefined;
      return (v) => {
        if (!Array.isArray(v) || !length(v.length)) return undefined;
        const out: unknown[] = [];
        for (const item of v) {
          const r = element(item);
          if (!r) return undefined;
          out.push(r.value);
        }
        return VALID(out);
      };
    }
    case 'union': {
      if (def.checks?.length) return undefined;
      const options = (def.options ?? []).map(compile);
      if (!options.length || options.some((o) => !o)) return undefined;
      // zod takes the first option that accepts the value.
      return (v) => {
        for (const option of options as Parse[]) {
          const r = option(v);
          if (r) return r;
        }
        return undefined;
      };
    }
    default:
      return undefined;
  }
}

function objectOf(def: ZodDef): Parse | undefined {
  if (def.checks?.length || def.catchall !== undefined || !def.shape) return undefined;
  const fields: Array<[string, Parse]> = [];
  for (const [key, value] of Object.entries(def.shape)) {
    const parse = compile(value);
    if (!parse) return undefined;
    fields.push([key, parse]);
  }
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, parse] of fields) {
      const r = parse(input[key]);
      if (!r) return undefined;
      // As zod: a key is in the result when it has a value or was in the input.
      if (r.value !== undefined || key in input) out[key] = r.value;
    }
    return VALID(out);
  };
}

/** min_length / max_length checks only; anything else (a pattern, a format) is left to zod. */
function lengthLimits(def: ZodDef): ((length: number) => boolean) | undefined {
  let min = 0;
  let max = Infinity;
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'min_length' && typeof c.minimum === 'number') min = Math.max(min, c.minimum);
    else if (c.check === 'max_length' && typeof c.maximum === 'number') max = Math.min(max, c.maximum);
    else return undefined;
  }
  return (length) => length >= min && length <= max;
}

/** Safe-integer format and inclusive or exclusive bounds; anything else is left to zod. */
function numberLimits(def: ZodDef): ((value: number) => boolean) | undefined {
  const tests: Array<(value: number) => boolean> = [];
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'number_format' && c.format === 'safeint') tests.push(Number.isSafeInteger);
    else if (c.check === 'greater_than' && typeof c.value === 'number') {
      const bound = c.value;
      tests.push(c.inclusive ? (v) => v >= bound : (v) => v > bound);
    } else if (c.check === 'less_than' && typeof c.value === 'number') {
      const bound = c.value;
      tests.push(c.inclusive ? (v) => v <= bound : (v) => v < bound);
    } else return undefined;
  }
  return (value) => tests.every((t) => t(value));
}
