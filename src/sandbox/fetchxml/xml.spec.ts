import { XmlError, parseXml } from './xml';

describe('bounded XML parser', () => {
  it('should parse elements, attributes in either quote, entities, text, comments, CDATA and a declaration', () => {
    const doc = parseXml(
      `<?xml version="1.0"?><!-- q --><fetch top='5'><entity name="contact"><condition value="a &amp; b &lt;c&gt; &#65;&#x42;"/>` +
        `<value> x &quot;y&quot; </value><value><![CDATA[<raw>]]></value></entity></fetch>`,
    );
    expect(doc.name).toBe('fetch');
    expect(doc.attrs).toEqual({ top: '5' });
    const entity = doc.children[0];
    expect(entity.attrs.name).toBe('contact');
    expect(entity.children.map((c) => c.name)).toEqual(['condition', 'value', 'value']);
    expect(entity.children[0].attrs.value).toBe('a & b <c> AB');
    expect(entity.children[1].text).toBe('x "y"');
    expect(entity.children[2].text).toBe('<raw>');
  });

  it.each([
    ['<fetch><entity></fetch>', /does not match the start tag '<entity>'/],
    ['<fetch>', /'<fetch>' is not closed/],
    ['<fetch a="1" a="2"/>', /appears twice/],
    ['<fetch a=1/>', /quoted value/],
    ['<fetch/><fetch/>', /Only one root element/],
    ['<fetch>&nope;</fetch>', /unknown entity/],
    ['<fetch>a & b</fetch>', /unescaped '&'/],
    ['<!DOCTYPE x [<!ENTITY e "boom">]><fetch/>', /Document type declarations are not allowed/],
    ['', /no root element/],
    ['text<fetch/>', /Text is not allowed outside/],
  ])('should refuse %j', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
    expect(() => parseXml(xml)).toThrow(message);
  });

  it('should bound the size, the depth and the number of elements', () => {
    expect(() => parseXml(`<a>${' '.repeat(100)}</a>`, { maxChars: 50, maxDepth: 5, maxElements: 5 })).toThrow(/longer than 50/);
    expect(() => parseXml('<a><a><a><a></a></a></a></a>', { maxChars: 1000, maxDepth: 3, maxElements: 50 })).toThrow(/deeper than 3/);
    expect(() => parseXml(`<a>${'<b/>'.repeat(10)}</a>`, { maxChars: 1000, maxDepth: 5, maxElements: 5 })).toThrow(/More than 5 elements/);
    const deep = '<a>'.repeat(1000) + '</a>'.repeat(1000);
    expect(() => parseXml(deep)).toThrow(/deeper than 32/);
  });
});
