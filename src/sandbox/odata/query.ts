import { ApiError, Errors } from '../errors';

/** Parsing of the query string, system query options, $expand and the Prefer header. */

const SUPPORTED = new Set(['$select', '$filter', '$orderby', '$top', '$count', '$expand', '$skiptoken', '$apply', '$format']);

/** Splits the raw query on '&' before decoding (so %26 inside a literal stays data); '+' means space, as on IIS. */
export function parseQueryString(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decode(part.slice(eq + 1));
    if (out.has(k)) throw Errors.query(`Query option '${k}' was specified more than once, but it must be specified at most once.`);
    out.set(k, v);
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw Errors.query(`The query string is not correctly URL-encoded: '${s}'.`);
  }
}

export interface ExpandItem {
  nav: string;
  select?: string[];
  filter?: string;
  orderby?: string;
  top?: number;
}

export interface QueryOptions {
  select?: string[];
  filter?: string;
  orderby?: string;
  top?: number;
  count: boolean;
  expand: ExpandItem[];
  skiptoken?: string;
  /** The options in their original order (for rebuilding a nextLink). */
  params: Map<string, string>;
}

export function parseOptions(params: Map<string, string>): QueryOptions {
  for (const k of params.keys()) {
    if (k === '$skip') throw Errors.query('The query parameter $skip is not supported');
    if (k === '$search') throw Errors.query('The query parameter $search is not supported');
    if (k.startsWith('$') && !SUPPORTED.has(k)) throw Errors.query(`The query parameter '${k}' is not supported.`);
  }
  const top = params.get('$top');
  const count = params.get('$count');
  if (count !== undefined && count !== 'true' && count !== 'false') {
    throw Errors.query(`'${count}' is not a valid count option.`);
  }
  return {
    select: params.has('$select') ? parseSelect(params.get('$select')!) : undefined,
    filter: params.get('$filter'),
    orderby: params.get('$orderby'),
    top: top === undefined ? undefined : parseTop(top),
    count: count === 'true',
    expand: params.has('$expand') ? parseExpand(params.get('$expand')!) : [],
    skiptoken: params.get('$skiptoken'),
    params,
  };
}

function parseTop(v: string): number {
  if (!/^\d+$/.test(v.trim())) {
    throw Errors.query(`Invalid value '${v}' for $top query option found. The $top query option requires a non-negative integer value.`);
  }
  return Number(v);
}

export function parseSelect(v: string): string[] {
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => !s)) throw Errors.syntax(v.length, v);
  return items;
}

/** Splits on commas that are not inside parentheses or quotes. */
export function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of s) {
    if (ch === "'") quoted = !quoted;
    if (!quoted) {
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      if (ch === sep && depth === 0) {
        out.push(cur);
        cur = '';
        continue;
      }
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

export function parseExpand(v: string): ExpandItem[] {
  return splitTop(v, ',').map((raw) => {
    const s = raw.trim();
    const m = /^([A-Za-z_][A-Za-z0-9_.]*)\s*(?:\((.*)\))?$/s.exec(s);
    if (!m) throw Errors.syntax(v.indexOf(s), v);
    const item: ExpandItem = { nav: m[1] };
    if (m[2] !== undefined) {
      for (const opt of splitTop(m[2], ';')) {
        const eq = opt.indexOf('=');
        const k = opt.slice(0, eq).trim();
        const val = opt.slice(eq + 1);
        if (eq < 0) throw Errors.syntax(v.indexOf(opt), v);
        if (k === '$select') item.select = parseSelect(val);
        else if (k === '$filter') item.filter = val;
        else if (k === '$orderby') item.orderby = val;
        else if (k === '$top') item.top = parseTop(val);
        else if (k === '$expand') throw Errors.query('Nested $expand is not supported by this emulator.');
        else throw Errors.query(`The query parameter '${k}' is not supported.`);
      }
    }
    return item;
  });
}

export interface OrderKey {
  prop: string;
  desc: boolean;
}

export function parseOrderBy(v: string): OrderKey[] {
  return v.split(',').map((part) => {
    const bits = part.trim().split(/\s+/);
    if (!bits[0] || bits.length > 2 || (bits[1] && !/^(asc|desc)$/.test(bits[1]))) throw Errors.syntax(v.indexOf(part) + part.length, v);
    return { prop: bits[0], desc: bits[1] === 'desc' };
  });
}

export interface Prefer {
  returnRepresentation: boolean;
  maxPageSize?: number;
  /** Raw value of odata.include-annotations (unquoted), when sent. */
  annotations?: string;
  applied: string[];
}

/** Parses a Prefer header (comma-joined preferences; quoted values may contain commas). */
export function parsePrefer(header: string | undefined): Prefer {
  const p: Prefer = { returnRepresentation: false, applied: [] };
  if (!header) return p;
  for (const raw of splitTop(header.replace(/"/g, "'"), ',')) {
    const part = raw.trim();
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const val =
      eq < 0
        ? ''
        : part
            .slice(eq + 1)
            .trim()
            .replace(/^'|'$/g, '');
    if (key === 'return' && val === 'representation') p.returnRepresentation = true;
    else if (key === 'odata.maxpagesize') {
      const n = Number(val);
      if (Number.isInteger(n) && n > 0) p.maxPageSize = Math.min(n, 5000);
    } else if (key === 'odata.include-annotations') p.annotations = val;
  }
  return p;
}

export type AnnotationFilter = (name: string) => boolean;

/** Builds a matcher from an include-annotations value ("*", a list, "ns.*", "-name" exclusions). */
export function annotationFilter(value: string | undefined): AnnotationFilter | undefined {
  if (!value) return undefined;
  const inc: string[] = [];
  const exc: string[] = [];
  for (const t of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean))
    (t.startsWith('-') ? exc : inc).push(t.replace(/^-/, ''));
  const match = (pat: string, name: string) => pat === '*' || pat === name || (pat.endsWith('.*') && name.startsWith(pat.slice(0, -1)));
  if (!inc.length) return undefined;
  return (name) => inc.some((p) => match(p, name)) && !exc.some((p) => match(p, name));
}

export function assertGuid(s: string, segment: string): string {
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s)) {
    throw new ApiError(400, '0x80060888', `Bad Request - Error in query syntax. The key value '${s}' in '${segment}' is not a valid Guid.`);
  }
  return s.toLowerCase();
}
