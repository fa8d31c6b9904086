import { ToolError } from '../../common/tool-error';
import type { TableSchema } from '../metadata/schema-format';
import { fieldMap, lookupOfValueName } from './field-names';
import { Token, tokenize } from './filter-check';
import { xml, XmlElement } from './xml';

/**
 * An OData `$filter` as a FetchXML `<filter>`, for aggregates that only FetchXML can express (date grouping,
 * distinct counts). Covers what such a filter usually holds: comparisons with literals, null, and/or,
 * parentheses, contains/startswith/endswith. Anything else is refused with a message, never guessed.
 */

const OPS: Record<string, string> = { eq: 'eq', ne: 'ne', gt: 'gt', ge: 'ge', lt: 'lt', le: 'le' };
const MAX_DEPTH = 20;

export function odataToFetchFilter(filter: string, schema: TableSchema): XmlElement {
  const tokens = tokenize(filter);
  const fields = fieldMap(schema);
  let k = 0;
  const unsupported = (what: string): never => {
    throw new ToolError(
      'invalid_input',
      `This aggregate needs FetchXML (date grouping or a distinct count), and its filter uses ${what}, which cannot be translated. ` +
        "Use comparisons joined with and/or, e.g. statecode eq 0 and createdon ge 2026-01-01T00:00:00Z, contains(name,'x').",
    );
  };
  const attribute = (t: Token | undefined): string => {
    if (!t || t.kind !== 'path' || t.text.includes('/') || t.text.includes('.'))
      return unsupported(t ? `"${t.text}"` : 'an incomplete term');
    const f = fields.get(t.text) ?? lookupOfValueName(t.text, fields);
    if (!f) return unsupported(`"${t.text}"`);
    return f.name;
  };
  const literal = (t: Token | undefined): string | null => {
    if (!t) return unsupported('an incomplete comparison');
    if (t.kind === 'string') return t.value;
    if (t.kind === 'op' && t.text === 'null') return null;
    if (t.kind === 'op' && (t.text === 'true' || t.text === 'false')) return t.text === 'true' ? '1' : '0';
    if (t.kind === 'literal') return t.text;
    return unsupported(`"${t.text}"`);
  };
  const expr = (depth: number): XmlElement => {
    if (depth > MAX_DEPTH) unsupported('too deep a nesting');
    const parts = [term(depth)];
    while (tokens[k]?.kind === 'op' && tokens[k].text === 'or') {
      k++;
      parts.push(term(depth));
    }
    return parts.length === 1 ? parts[0] : xml('filter', { type: 'or' }, parts);
  };
  const term = (depth: number): XmlElement => {
    const parts = [factor(depth)];
    while (tokens[k]?.kind === 'op' && tokens[k].text === 'and') {
      k++;
      parts.push(factor(depth));
    }
    return parts.length === 1 ? parts[0] : xml('filter', { type: 'and' }, parts);
  };
  const factor = (depth: number): XmlElement => {
    const t = tokens[k];
    if (!t) return unsupported('an incomplete expression');
    if (t.text === '(') {
      k++;
      const inner = expr(depth + 1);
      if (tokens[k]?.text !== ')') unsupported('an unclosed parenthesis');
      k++;
      return inner;
    }
    if (t.kind === 'path' && tokens[k + 1]?.text === '(') {
      const fn = t.text.toLowerCase();
      const like = fn === 'contains' ? ['%', '%'] : fn === 'startswith' ? ['', '%'] : fn === 'endswith' ? ['%', ''] : undefined;
      if (!like) return unsupported(`the function ${t.text}()`);
      k += 2;
      const attr = attribute(tokens[k++]);
      if (tokens[k++]?.text !== ',') unsupported(`${t.text}() without a second argument`);
      const value = tokens[k++];
      if (value?.kind !== 'string') return unsupported(`${t.text}() with a value that is not text`);
      if (tokens[k++]?.text !== ')') unsupported(`an unclosed ${t.text}(`);
      return xml('condition', { attribute: attr, operator: 'like', value: `${like[0]}${value.value}${like[1]}` });
    }
    if (t.kind === 'op' && t.text === 'not') return unsupported('not');
    const attr = attribute(tokens[k++]);
    const op = tokens[k++];
    if (op?.kind !== 'op' || !OPS[op.text]) return unsupported(op ? `"${op.text}" after ${attr}` : 'an incomplete comparison');
    const value = literal(tokens[k++]);
    if (value === null) {
      if (op.text !== 'eq' && op.text !== 'ne') return unsupported(`${op.text} null`);
      return xml('condition', { attribute: attr, operator: op.text === 'eq' ? 'null' : 'not-null' });
    }
    return xml('condition', { attribute: attr, operator: OPS[op.text], value });
  };
  const result = expr(0);
  if (k < tokens.length) unsupported(`"${tokens[k].text}"`);
  return result.name === 'filter' ? result : xml('filter', { type: 'and' }, [result]);
}
