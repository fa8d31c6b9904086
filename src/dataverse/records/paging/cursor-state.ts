import { ToolError } from '../../../common/tool-error';
import { MAX_FILTER_LENGTH, parseFieldList, parseOrderBy, validateFilter } from '../../client/odata';

/** Largest page list_records asks for. */
export const MAX_TOP = 500;
/** Most fields a `$select` may name (as the select argument). */
export const MAX_SELECT_FIELDS = 200;
/** Longest `$skiptoken` accepted in a page link (Dataverse paging cookies are well under this). */
export const MAX_SKIPTOKEN_LENGTH = 6000;

/**
 * The state behind an opaque `nextCursor`: which page to fetch again (a link relative to the API root,
 * always `<entity set>?...`), how many of its records were already returned, and whose it is.
 */
export interface CursorState {
  v: 1;
  /** environment host */
  e: string;
  /** user key hash */
  u: string;
  /** entity set */
  t: string;
  /** page link relative to the API root */
  l: string;
  /** page size */
  n: number;
  /** records of that page already returned */
  o: number;
  /** keep nulls (explicit select) */
  k?: 1;
  /** FetchXML mode: the fetch (deflated, base64url), page number and paging cookie of the page to fetch */
  x?: string;
  p?: number;
  c?: string;
}

/** Longest packed FetchXML a cursor may carry (the FetchXML itself is bounded before it is packed). */
export const MAX_PACKED_FETCH_LENGTH = 60_000;

const INVALID = 'cursor is not a valid nextCursor from list_records (or has expired); run the query again without cursor.';

export function invalidCursor(): ToolError {
  return new ToolError('invalid_input', INVALID);
}

/** The query options a page link may carry, each at most once, each validated as the argument it came from. */
const LINK_OPTIONS: Record<string, (value: string) => void> = {
  $select: (v) => {
    const fields = parseFieldList(v);
    if (!fields || fields.length > MAX_SELECT_FIELDS) throw new Error('select');
  },
  $filter: (v) => {
    if (v.length > MAX_FILTER_LENGTH || validateFilter(v) === undefined) throw new Error('filter');
  },
  $orderby: (v) => {
    if (parseOrderBy(v) === undefined) throw new Error('orderby');
  },
  $skiptoken: (v) => {
    if (!v || v.length > MAX_SKIPTOKEN_LENGTH) throw new Error('skiptoken');
  },
};

/**
 * A page link (ours, or a nextLink Dataverse returned) is `<entity set>?<options>` for this table only, with only
 * the options list_records itself sends, each passing the same checks as a fresh argument. Throws when not.
 */
export function checkPageLink(link: string, entitySetName: string): void {
  if (link.includes('#')) throw new Error('fragment in link');
  const q = link.indexOf('?');
  if ((q < 0 ? link : link.slice(0, q)) !== entitySetName) throw new Error('link does not belong to this table');
  const search = new URLSearchParams(q < 0 ? '' : link.slice(q + 1));
  const seen = new Set<string>();
  for (const [key, value] of search) {
    const check = LINK_OPTIONS[key];
    if (!check || seen.has(key)) throw new Error(`unexpected query option ${key}`);
    seen.add(key);
    check(value);
  }
}

/**
 * Whether a next-page link (relative to the API root) is the link a page was fetched with and a new `$skiptoken`
 * as its last option, which is how Dataverse writes `@odata.nextLink`. Then only the token needs checking: the rest
 * is a link that already passed checkPageLink (or was built from checked arguments). Any other link gets the full
 * check.
 */
export function isNextOfSameQuery(next: string, fetched: string): boolean {
  const cut = Math.max(fetched.indexOf('?$skiptoken='), fetched.indexOf('&$skiptoken='));
  const base = cut < 0 ? fetched : fetched.slice(0, cut);
  const prefix = `${base}${base.includes('?') ? '&' : '?'}$skiptoken=`;
  if (!next.startsWith(prefix)) return false;
  const token = next.length - prefix.length;
  return token > 0 && token <= MAX_SKIPTOKEN_LENGTH && !/[&#]/.test(next.slice(prefix.length));
}

/**
 * Everything a decoded cursor carries, re-validated exactly as if it were given fresh: the shape, the page size
 * (1..MAX_TOP), the offset inside the page, and the link. A signed cursor passes this unless the code changed.
 */
export function checkCursorState(value: unknown, entitySetName: string): CursorState {
  const s = value as Partial<CursorState> | null;
  const valid =
    !!s &&
    typeof s === 'object' &&
    s.v === 1 &&
    typeof s.e === 'string' &&
    typeof s.u === 'string' &&
    typeof s.t === 'string' &&
    typeof s.l === 'string' &&
    Number.isInteger(s.n) &&
    Number.isInteger(s.o) &&
    s.n! >= 1 &&
    s.n! <= MAX_TOP &&
    s.o! >= 0 &&
    s.o! < s.n! &&
    (s.k === undefined || s.k === 1) &&
    (s.x === undefined || (typeof s.x === 'string' && s.x.length <= MAX_PACKED_FETCH_LENGTH && Number.isInteger(s.p) && s.p! >= 1)) &&
    (s.c === undefined || (typeof s.c === 'string' && s.c.length <= MAX_SKIPTOKEN_LENGTH));
  if (!valid) throw invalidCursor();
  if (s.t !== entitySetName) return s as CursorState; // the caller names the table mismatch
  try {
    checkPageLink(s.l!, entitySetName);
  } catch {
    throw invalidCursor();
  }
  return s as CursorState;
}
