import { ApiError, Errors } from '../errors';
import { likeMatch } from './like';

/**
 * OData $filter parser and compiler (the subset Dataverse supports): comparisons, and/or/not, parentheses,
 * contains/startswith/endswith, literals (string with '' escaping, numbers, booleans, null, unquoted GUIDs,
 * DateTimeOffset and Date, enum literals) and Microsoft.Dynamics.CRM query functions.
 */

export type Edm =
  | 'Edm.String'
  | 'Edm.Int32'
  | 'Edm.Int64'
  | 'Edm.Decimal'
  | 'Edm.Double'
  | 'Edm.Boolean'
  | 'Edm.Guid'
  | 'Edm.DateTimeOffset'
  | 'Edm.Date'
  | 'Edm.Enum'
  | 'Edm.Complex'
  | 'null';

type TokKind = 'ident' | 'string' | 'number' | 'guid' | 'datetime' | 'date' | 'enum' | '(' | ')' | ',' | '[' | ']' | '=' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  value?: unknown;
  pos: number;
  end: number;
}

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?![\dT:])/;
const NUMBER_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?/;
const IDENT_RE = /^[A-Za-z_@$][A-Za-z0-9_.]*(\/[A-Za-z_][A-Za-z0-9_.]*)*/;

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if ('(),[]='.includes(c)) {
      toks.push({ kind: c as TokKind, text: c, pos: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= n) throw Errors.syntax(n, text);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            s += "'";
            j += 2;
            continue;
          }
          break;
        }
        s += text[j++];
      }
      toks.push({ kind: 'string', text: text.slice(i, j + 1), value: s, pos: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i, i + 64);
    let m = GUID_RE.exec(rest);
    if (m && !/[A-Za-z0-9_]/.test(text[i + 36] ?? '')) {
      toks.push({ kind: 'guid', text: m[0], value: m[0].toLowerCase(), pos: i, end: i + 36 });
      i += 36;
      continue;
    }
    if (/[-\d]/.test(c)) {
      if ((m = DATETIME_RE.exec(rest))) {
        toks.push({ kind: 'datetime', text: m[0], value: m[0], pos: i, end: i + m[0].length });
        i += m[0].length;
        continue;
      }
      if ((m = DATE_RE.exec(rest))) {
        toks.push({ kind: 'date', text: m[0], value: m[0], pos: i, end: i + m[0].length });
        i += m[0].length;
        continue;
      }
      if ((m = NUMBER_RE.exec(rest)) && !/[A-Za-z0-9_]/.test(text[i + m[0].length] ?? '')) {
        toks.push({ kind: 'number', text: m[0], value: m[0], pos: i, end: i + m[0].length });
        i += m[0].length;
        continue;
      }
      throw Errors.syntax(i, text);
    }
    if ((m = IDENT_RE.exec(text.slice(i)))) {
      const end = i + m[0].length;
      if (text[end] === "'" && m[0].includes('.')) {
        // enum literal: Namespace.Type'Member'
        const close = text.indexOf("'", end + 1);
        if (close < 0) throw Errors.syntax(n, text);
        toks.push({ kind: 'enum', text: text.slice(i, close + 1), value: text.slice(end + 1, close), pos: i, end: close + 1 });
        i = close + 1;
        continue;
      }
      toks.push({ kind: 'ident', text: m[0], pos: i, end });
      i = end;
      continue;
    }
    throw Errors.syntax(i, text);
  }
  toks.push({ kind: 'eof', text: '', pos: n, end: n });
  return toks;
}

export type Operand = { t: 'prop'; path: string; pos: number } | { t: 'lit'; edm: Edm; value: unknown; text: string };

export type FilterNode =
  | { t: 'and' | 'or'; l: FilterNode; r: FilterNode }
  | { t: 'not'; e: FilterNode }
  | { t: 'cmp'; op: CmpOp; l: Operand; r: Operand }
  | { t: 'fn'; name: 'contains' | 'startswith' | 'endswith'; prop: Operand; arg: Operand }
  | { t: 'qf'; name: string; params: Record<string, unknown>; pos: number }
  | { t: 'boolprop'; prop: Operand };

export type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const CMP = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

export function parseFilter(text: string): FilterNode {
  const toks = tokenize(text);
  let p = 0;
  const peek = () => toks[p];
  const fail = (t: Tok = toks[p]): never => {
    throw Errors.syntax(t.pos, text);
  };
  const expect = (k: TokKind) => (toks[p].kind === k ? toks[p++] : fail());
  const isWord = (w: string) => toks[p].kind === 'ident' && toks[p].text === w;

  function literal(t: Tok): Operand {
    switch (t.kind) {
      case 'string':
        return { t: 'lit', edm: 'Edm.String', value: t.value, text: t.text };
      case 'guid':
        return { t: 'lit', edm: 'Edm.Guid', value: t.value, text: t.text };
      case 'datetime':
        return { t: 'lit', edm: 'Edm.DateTimeOffset', value: t.value, text: t.text };
      case 'date':
        return { t: 'lit', edm: 'Edm.Date', value: t.value, text: t.text };
      case 'enum':
        return { t: 'lit', edm: 'Edm.Enum', value: t.value, text: t.text };
      case 'number': {
        const raw = t.text.replace(/[mMdDfFlL]$/, '');
        const isInt = /^-?\d+$/.test(raw);
        const v = Number(raw);
        return { t: 'lit', edm: isInt ? (Math.abs(v) > 2147483647 ? 'Edm.Int64' : 'Edm.Int32') : 'Edm.Decimal', value: v, text: t.text };
      }
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return { t: 'lit', edm: 'Edm.Boolean', value: t.text === 'true', text: t.text };
        if (t.text === 'null') return { t: 'lit', edm: 'null', value: null, text: t.text };
        return { t: 'prop', path: t.text, pos: t.pos };
      default:
        return fail(t);
    }
  }

  function operand(): Operand {
    const t = toks[p++];
    if (t.kind === 'eof' || t.kind === ')' || t.kind === ',' || t.kind === '(') fail(t);
    if (t.kind === 'ident' && toks[p].kind === '(') fail(toks[p]);
    return literal(t);
  }

  function qfValue(): unknown {
    if (peek().kind === '[') {
      p++;
      const arr: unknown[] = [];
      while (peek().kind !== ']') {
        arr.push(literal(toks[p++]));
        if (peek().kind === ',') p++;
        else if (peek().kind !== ']') fail();
      }
      p++;
      return arr.map((o) => (o as { value: unknown }).value);
    }
    const o = literal(toks[p++]);
    return o.t === 'lit' ? o.value : fail(toks[p - 1]);
  }

  function primary(): FilterNode {
    const t = peek();
    if (t.kind === '(') {
      p++;
      const e = orExpr();
      expect(')');
      return e;
    }
    if (t.kind === 'ident' && toks[p + 1].kind === '(') {
      const name = t.text;
      p += 2;
      if (name === 'contains' || name === 'startswith' || name === 'endswith') {
        const prop = operand();
        expect(',');
        const arg = operand();
        expect(')');
        return { t: 'fn', name, prop, arg };
      }
      if (name.startsWith('Microsoft.Dynamics.CRM.')) {
        const params: Record<string, unknown> = {};
        while (peek().kind !== ')') {
          const key = expect('ident').text;
          expect('=');
          params[key] = qfValue();
          if (peek().kind === ',') p++;
          else if (peek().kind !== ')') fail();
        }
        p++;
        return { t: 'qf', name: name.slice('Microsoft.Dynamics.CRM.'.length), params, pos: t.pos };
      }
      throw Errors.query(
        `An unknown function with name '${name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
      );
    }
    const l = operand();
    const opTok = peek();
    if (opTok.kind === 'ident' && CMP.has(opTok.text)) {
      p++;
      const r = operand();
      return { t: 'cmp', op: opTok.text as CmpOp, l, r };
    }
    if (
      l.t === 'prop' &&
      (opTok.kind === 'eof' || opTok.kind === ')' || (opTok.kind === 'ident' && (opTok.text === 'and' || opTok.text === 'or')))
    ) {
      return { t: 'boolprop', prop: l };
    }
    return fail(opTok);
  }

  function unary(): FilterNode {
    if (isWord('not')) {
      p++;
      return { t: 'not', e: unary() };
    }
    return primary();
  }
  function andExpr(): FilterNode {
    let l = unary();
    while (isWord('and')) {
      p++;
      l = { t: 'and', l, r: unary() };
    }
    return l;
  }
  function orExpr(): FilterNode {
    let l = andExpr();
    while (isWord('or')) {
      p++;
      l = { t: 'or', l, r: andExpr() };
    }
    return l;
  }

  if (toks[0].kind === 'eof') fail();
  const ast = orExpr();
  if (peek().kind !== 'eof') fail();
  return ast;
}

/** How the compiler reads a property: its Edm type and a getter. Throws ApiError for unknown names. */
export interface PropBinding {
  edm: Edm;
  get(r: Record<string, unknown>): unknown;
}
export interface FilterContext {
  bind(path: string): PropBinding;
  /** Query functions name attributes by logical name (PropertyName='ownerid'); defaults to bind. */
  bindAttribute?(name: string): PropBinding;
  userId?: string;
  now?: number;
}

const NUMERIC = new Set(['Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double']);
function family(e: Edm): string {
  if (NUMERIC.has(e)) return 'num';
  if (e === 'Edm.DateTimeOffset' || e === 'Edm.Date') return 'date';
  if (e === 'Edm.Enum') return 'enum';
  return e;
}
const OP_KIND: Record<CmpOp, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};

function toMs(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  return Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
}

/** Normalises a value for comparison within a type family. */
function norm(fam: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (fam === 'Edm.String' || fam === 'Edm.Guid' || fam === 'enum') return String(v).toLowerCase();
  if (fam === 'date') return toMs(v);
  return v;
}

export type Predicate = (r: Record<string, unknown>) => boolean;

export function compileFilter(ast: FilterNode, ctx: FilterContext): Predicate {
  const operand = (o: Operand): { edm: Edm; get: (r: Record<string, unknown>) => unknown } => {
    if (o.t === 'prop') return ctx.bind(o.path);
    const v = o.value;
    return { edm: o.edm, get: () => v };
  };
  switch (ast.t) {
    case 'and': {
      const l = compileFilter(ast.l, ctx);
      const r = compileFilter(ast.r, ctx);
      return (x) => l(x) && r(x);
    }
    case 'or': {
      const l = compileFilter(ast.l, ctx);
      const r = compileFilter(ast.r, ctx);
      return (x) => l(x) || r(x);
    }
    case 'not': {
      const e = compileFilter(ast.e, ctx);
      return (x) => !e(x);
    }
    case 'boolprop': {
      const b = operand(ast.prop);
      if (b.edm !== 'Edm.Boolean') throw Errors.query(`The $filter expression must evaluate to a single boolean value.`);
      return (x) => b.get(x) === true;
    }
    case 'fn': {
      const p = operand(ast.prop);
      const a = operand(ast.arg);
      if (p.edm !== 'Edm.String' || (a.edm !== 'Edm.String' && a.edm !== 'null')) {
        throw Errors.query(
          `No function signature for the function with name '${ast.name}' matches the specified arguments. The function signatures considered are: ${ast.name}(Edm.String Nullable=true, Edm.String Nullable=true).`,
        );
      }
      const name = ast.name;
      return (x) => {
        const v = p.get(x);
        const s = a.get(x);
        if (typeof v !== 'string' || typeof s !== 'string') return false;
        const hay = v.toLowerCase();
        const needle = s.toLowerCase();
        return likeMatch(name, hay, needle);
      };
    }
    case 'cmp': {
      const l = operand(ast.l);
      const r = operand(ast.r);
      let fam: string;
      if (l.edm === 'null' || r.edm === 'null') fam = family(l.edm === 'null' ? r.edm : l.edm);
      else {
        const fl = family(l.edm);
        const fr = family(r.edm);
        if (fl !== fr || l.edm === 'Edm.Complex') {
          throw Errors.query(
            `A binary operator with incompatible types was detected. Found operand types '${l.edm}' and '${r.edm}' for operator kind '${OP_KIND[ast.op]}'.`,
          );
        }
        fam = fl;
      }
      if (fam === 'Edm.Boolean' || fam === 'Edm.Guid' || fam === 'null') {
        if (ast.op !== 'eq' && ast.op !== 'ne') {
          if (fam !== 'Edm.Guid')
            throw Errors.query(
              `A binary operator with incompatible types was detected. Found operand types '${l.edm}' and '${r.edm}' for operator kind '${OP_KIND[ast.op]}'.`,
            );
        }
      }
      const op = ast.op;
      return (x) => {
        const a = norm(fam, l.get(x));
        const b = norm(fam, r.get(x));
        if (op === 'eq') return a === b;
        if (a === null || b === null) return op === 'ne' ? a !== b && a !== null : false;
        if (op === 'ne') return a !== b;
        const c = (a as number | string) < (b as number | string) ? -1 : a === b ? 0 : 1;
        return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
      };
    }
    case 'qf':
      return compileQueryFunction(ast, ctx);
  }
}

const DAY = 86400000;
function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

function compileQueryFunction(node: Extract<FilterNode, { t: 'qf' }>, ctx: FilterContext): Predicate {
  const name = node.name;
  const propName = node.params.PropertyName;
  if (typeof propName !== 'string')
    throw Errors.query(`The function 'Microsoft.Dynamics.CRM.${name}' requires the parameter 'PropertyName'.`);
  const b = ctx.bindAttribute ? ctx.bindAttribute(propName) : ctx.bind(propName);
  const now = ctx.now ?? Date.now();
  const num = Number(node.params.PropertyValue);
  const ms = (x: Record<string, unknown>) => toMs(b.get(x));
  const between =
    (lo: number, hi: number): Predicate =>
    (x) => {
      const v = ms(x);
      return v >= lo && v < hi;
    };
  const today = startOfDay(now);
  const eqSet = (vals: unknown[], negate: boolean): Predicate => {
    const set = new Set(vals.map((v) => String(v).toLowerCase()));
    return (x) => {
      const v = b.get(x);
      const k = String(v).toLowerCase();
      return v != null && (negate ? !set.has(k) : set.has(k));
    };
  };
  switch (name) {
    case 'LastXHours':
      return between(now - num * 3600000, now);
    case 'NextXHours':
      return between(now, now + num * 3600000);
    case 'LastXDays':
      return between(today - num * DAY, now);
    case 'NextXDays':
      return between(now, today + (num + 1) * DAY);
    case 'LastXWeeks':
      return between(today - num * 7 * DAY, now);
    case 'NextXWeeks':
      return between(now, today + (num * 7 + 1) * DAY);
    case 'LastXMonths':
      return between(today - num * 30 * DAY, now);
    case 'NextXMonths':
      return between(now, today + (num * 30 + 1) * DAY);
    case 'LastXYears':
      return between(today - num * 365 * DAY, now);
    case 'NextXYears':
      return between(now, today + (num * 365 + 1) * DAY);
    case 'OlderThanXDays':
      return (x) => ms(x) < today - num * DAY;
    case 'OlderThanXMonths':
      return (x) => ms(x) < today - num * 30 * DAY;
    case 'Today':
      return between(today, today + DAY);
    case 'Yesterday':
      return between(today - DAY, today);
    case 'Tomorrow':
      return between(today + DAY, today + 2 * DAY);
    case 'On': {
      const d = startOfDay(toMs(String(node.params.PropertyValue)));
      return between(d, d + DAY);
    }
    case 'OnOrAfter': {
      const d = startOfDay(toMs(String(node.params.PropertyValue)));
      return (x) => ms(x) >= d;
    }
    case 'OnOrBefore': {
      const d = startOfDay(toMs(String(node.params.PropertyValue)));
      return (x) => ms(x) < d + DAY;
    }
    case 'In':
      return eqSet((node.params.PropertyValues as unknown[]) ?? [], false);
    case 'NotIn':
      return eqSet((node.params.PropertyValues as unknown[]) ?? [], true);
    case 'Between':
    case 'NotBetween': {
      const [lo, hi] = ((node.params.PropertyValues as unknown[]) ?? []).map((v) => (typeof v === 'string' ? toMs(v) : Number(v)));
      const isDate = b.edm === 'Edm.DateTimeOffset' || b.edm === 'Edm.Date';
      const inside: Predicate = (x) => {
        const raw = b.get(x);
        if (raw == null) return false;
        const v = isDate ? toMs(raw) : Number(raw);
        return v >= lo && v <= hi;
      };
      return name === 'Between' ? inside : (x) => b.get(x) != null && !inside(x);
    }
    case 'EqualUserId':
      return (x) => String(b.get(x) ?? '').toLowerCase() === (ctx.userId ?? '').toLowerCase();
    case 'NotEqualUserId':
      return (x) => String(b.get(x) ?? '').toLowerCase() !== (ctx.userId ?? '').toLowerCase();
    case 'Null':
      return (x) => b.get(x) == null;
    case 'NotNull':
      return (x) => b.get(x) != null;
    default:
      throw new ApiError(
        400,
        '0x80060888',
        `An unknown function with name 'Microsoft.Dynamics.CRM.${name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
      );
  }
}
