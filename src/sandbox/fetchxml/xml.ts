/**
 * A small, bounded XML parser for FetchXML and layoutxml: elements, attributes, text, the five predefined entities
 * and numeric character references, comments, CDATA and an XML declaration. No DTDs, no external entities, no
 * namespaces processing. Every input is bounded (size, depth, element count), so it cannot be made to run long.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content directly inside this element (trimmed). */
  text: string;
}

export class XmlError extends Error {}

export interface XmlLimits {
  maxChars: number;
  maxDepth: number;
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxChars: 65_536, maxDepth: 32, maxElements: 5_000 };

const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string, at: number): string {
  return s.replace(/&([^;&\s]{1,10});|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new XmlError(`An unescaped '&' at position ${at}.`);
    if (ref in ENTITIES) return ENTITIES[ref];
    const num = /^#x([0-9a-fA-F]{1,6})$/.exec(ref) ?? /^#([0-9]{1,7})$/.exec(ref);
    if (num) {
      const code = parseInt(num[1], ref[1] === 'x' ? 16 : 10);
      if (code > 0x10ffff || code === 0) throw new XmlError(`An invalid character reference '${m}'.`);
      return String.fromCodePoint(code);
    }
    throw new XmlError(`An unknown entity '${m}' at position ${at}.`);
  });
}

/** Parses one XML document with a single root element. Throws XmlError with a position on any malformation. */
export function parseXml(input: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (input.length > limits.maxChars) throw new XmlError(`The document is longer than ${limits.maxChars} characters.`);
  let i = 0;
  let count = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const err = (msg: string) => new XmlError(`${msg} (position ${i}).`);
  const skipWs = () => {
    while (i < input.length && /\s/.test(input[i])) i++;
  };
  const readName = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(input);
    if (!m) throw err('A name was expected');
    i += m[0].length;
    return m[0];
  };
  const textParts: string[][] = [];

  if (input.charCodeAt(0) === 0xfeff) i = 1;
  while (i < input.length) {
    if (input.startsWith('<?', i)) {
      if (root || stack.length) throw err('A processing instruction is only allowed before the root element');
      const end = input.indexOf('?>', i + 2);
      if (end < 0) throw err('An unterminated processing instruction');
      i = end + 2;
    } else if (input.startsWith('<!--', i)) {
      const end = input.indexOf('-->', i + 4);
      if (end < 0) throw err('An unterminated comment');
      i = end + 3;
    } else if (input.startsWith('<![CDATA[', i)) {
      if (!stack.length) throw err('Text is not allowed outside the root element');
      const end = input.indexOf(']]>', i + 9);
      if (end < 0) throw err('An unterminated CDATA section');
      textParts[textParts.length - 1].push(input.slice(i + 9, end));
      i = end + 3;
    } else if (input.startsWith('<!', i)) {
      throw err('Document type declarations are not allowed');
    } else if (input.startsWith('</', i)) {
      i += 2;
      const name = readName();
      skipWs();
      if (input[i] !== '>') throw err(`'>' was expected to close '</${name}'`);
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) throw err(`The end tag '</${name}>' does not match the start tag '<${open?.name ?? ''}>'`);
      open.text = textParts.pop()!.join('').trim();
      if (!stack.length) root = open;
    } else if (input[i] === '<') {
      if (root) throw err('Only one root element is allowed');
      i++;
      const el: XmlElement = { name: readName(), attrs: {}, children: [], text: '' };
      if (++count > limits.maxElements) throw err(`More than ${limits.maxElements} elements`);
      for (;;) {
        const before = i;
        skipWs();
        if (input[i] === '/' || input[i] === '>') break;
        if (i === before) throw err(`Whitespace was expected in '<${el.name}'`);
        const an = readName();
        skipWs();
        if (input[i] !== '=') throw err(`'=' was expected after the attribute '${an}'`);
        i++;
        skipWs();
        const q = input[i];
        if (q !== '"' && q !== "'") throw err(`A quoted value was expected for the attribute '${an}'`);
        const end = input.indexOf(q, i + 1);
        if (end < 0) throw err(`An unterminated value for the attribute '${an}'`);
        const raw = input.slice(i + 1, end);
        if (raw.includes('<')) throw err(`'<' is not allowed in the value of the attribute '${an}'`);
        if (an in el.attrs) throw err(`The attribute '${an}' appears twice`);
        el.attrs[an] = decodeEntities(raw, i);
        i = end + 1;
      }
      if (stack.length) stack[stack.length - 1].children.push(el);
      if (input[i] === '/') {
        if (input[i + 1] !== '>') throw err("'>' was expected after '/'");
        i += 2;
        if (!stack.length) root = el;
      } else {
        i++;
        if (stack.length >= limits.maxDepth) throw err(`Elements are nested deeper than ${limits.maxDepth}`);
        stack.push(el);
        textParts.push([]);
      }
    } else {
      const next = input.indexOf('<', i);
      const end = next < 0 ? input.length : next;
      const text = input.slice(i, end);
      if (!stack.length) {
        if (text.trim()) throw err('Text is not allowed outside the root element');
      } else textParts[textParts.length - 1].push(decodeEntities(text, i));
      i = end;
    }
  }
  if (stack.length) throw new XmlError(`The element '<${stack[stack.length - 1].name}>' is not closed.`);
  if (!root) throw new XmlError('The document has no root element.');
  return root;
}

/** Escapes a string for use in an attribute value or text. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
