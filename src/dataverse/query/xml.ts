import { ToolError } from '../../common/tool-error';

/**
 * A small, bounded XML reader/writer for FetchXML and view layouts: elements, attributes, text, comments and the
 * `<?xml?>` declaration. No DTDs, no entities beyond the five predefined ones and character references, no CDATA:
 * FetchXML needs none of them, and refusing them keeps the reader safe on input from outside.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export interface XmlLimits {
  maxLength: number;
  maxDepth: number;
  maxElements: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class XmlSyntaxError extends Error {}

export function parseXml(source: string, limits: XmlLimits, what = 'fetchXml'): XmlElement {
  if (source.length > limits.maxLength) {
    throw new ToolError('invalid_input', `${what} is ${source.length} characters long; the limit is ${limits.maxLength}. Simplify it.`);
  }
  let i = 0;
  let elements = 0;
  const fail = (message: string): never => {
    throw new XmlSyntaxError(`${message} at position ${i}`);
  };
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i])) i++;
  };
  const decode = (raw: string): string =>
    raw.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);|&/g, (m, ref: string | undefined) => {
      if (!ref) return fail('a bare "&" (write &amp;)');
      if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
      return ENTITIES[ref] ?? fail(`an unknown entity &${ref};`);
    });
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<?', i)) {
        const end = source.indexOf('?>', i);
        if (end < 0) fail('an unclosed <?...?>');
        i = end + 2;
      } else if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('an unclosed comment');
        i = end + 3;
      } else if (source.startsWith('<!', i)) {
        fail('a DOCTYPE or CDATA section (not allowed)');
      } else return;
    }
  };
  const element = (depth: number): XmlElement => {
    if (depth > limits.maxDepth) fail(`nesting deeper than ${limits.maxDepth} levels`);
    if (++elements > limits.maxElements) fail(`more than ${limits.maxElements} elements`);
    if (source[i] !== '<') fail('expected "<"');
    i++;
    const name = NAME.exec(source.slice(i, i + 200))?.[0] ?? fail('expected an element name');
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (source.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const attr = NAME.exec(source.slice(i, i + 200))?.[0] ?? fail(`expected an attribute or ">" in <${name}>`);
      i += attr.length;
      skipSpace();
      if (source[i] !== '=') fail(`expected "=" after ${attr}`);
      i++;
      skipSpace();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for ${attr}`);
      const end = source.indexOf(quote, i + 1);
      if (end < 0) fail(`an unclosed value of ${attr}`);
      if (attr in el.attrs) fail(`a repeated attribute ${attr}`);
      const raw = source.slice(i + 1, end);
      if (raw.includes('<')) fail(`"<" inside the value of ${attr}`);
      el.attrs[attr] = decode(raw);
      i = end + 1;
    }
    for (;;) {
      const lt = source.indexOf('<', i);
      if (lt < 0) fail(`<${name}> is never closed`);
      el.text += decode(source.slice(i, lt));
      i = lt;
      if (source.startsWith('<!--', i)) {
        skipMisc();
        continue;
      }
      if (source.startsWith('</', i)) {
        i += 2;
        const close = NAME.exec(source.slice(i, i + 200))?.[0];
        if (close !== name) fail(`</${close ?? ''}> closes <${name}>`);
        i += name.length;
        skipSpace();
        if (source[i] !== '>') fail('expected ">"');
        i++;
        el.text = el.text.trim();
        return el;
      }
      if (source.startsWith('<!', i) || source.startsWith('<?', i)) fail('a DOCTYPE, CDATA or processing instruction (not allowed)');
      el.children.push(element(depth + 1));
    }
  };
  try {
    skipMisc();
    const root = element(1);
    skipMisc();
    if (i < source.length) fail('content after the root element');
    return root;
  } catch (error) {
    if (error instanceof XmlSyntaxError) {
      throw new ToolError('invalid_input', `${what} is not well-formed XML: ${error.message}.`);
    }
    throw error;
  }
}

const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const escapeText = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function serializeXml(el: XmlElement): string {
  const attrs = Object.entries(el.attrs)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
  if (!el.children.length && !el.text) return `<${el.name}${attrs}/>`;
  return `<${el.name}${attrs}>${el.text ? escapeText(el.text) : ''}${el.children.map(serializeXml).join('')}</${el.name}>`;
}

export function xml(name: string, attrs: Record<string, string | undefined> = {}, children: XmlElement[] = [], text = ''): XmlElement {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
  return { name, attrs: clean, children, text };
}
