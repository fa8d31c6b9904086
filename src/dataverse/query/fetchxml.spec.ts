import { ToolError } from '../../common/tool-error';
import { buildBatchGet, parseBatchResponse } from './batch-get';
import { pagingCookieOf, withPaging } from './fetch-runner';
import { checkFetchXml } from './fetchxml-check';
import { SCHEMAS, CONTACT } from './testing/schemas.fixture';
import { parseXml, serializeXml } from './xml';

const loader = async (t: string) => {
  const s = SCHEMAS[t];
  if (!s) throw new ToolError('not_found', `There is no table "${t}" in this Dataverse environment.`);
  return s;
};
const rejection = async (xml: string): Promise<string> => {
  try {
    await checkFetchXml(xml, CONTACT, loader);
  } catch (error) {
    if (error instanceof ToolError) return error.message;
    throw error;
  }
  throw new Error('expected a ToolError');
};
const LIMITS = { maxLength: 1000, maxDepth: 4, maxElements: 20 };

describe('FetchXML reader', () => {
  it('should read elements, attributes, entities and text, and write them back', () => {
    const root = parseXml(
      `<?xml version="1.0"?><!-- c --><fetch a='1'><entity name="x"><value>O&apos;Brien &amp; co</value></entity></fetch>`,
      LIMITS,
    );

    expect(root.children[0].children[0].text).toBe("O'Brien & co");
    expect(serializeXml(root)).toBe('<fetch a="1"><entity name="x"><value>O\'Brien &amp; co</value></entity></fetch>');
  });

  it.each([
    ['<fetch><entity></fetch>', 'fetchXml is not well-formed XML: </fetch> closes <entity> at position 17.'],
    ['<!DOCTYPE x><fetch/>', 'fetchXml is not well-formed XML: a DOCTYPE or CDATA section (not allowed) at position 0.'],
    ['<a><a><a><a><a/></a></a></a></a>', 'fetchXml is not well-formed XML: nesting deeper than 4 levels at position 12.'],
    ['<fetch x="1" x="2"/>', 'fetchXml is not well-formed XML: a repeated attribute x at position 15.'],
    ['<fetch>&bogus;</fetch>', 'fetchXml is not well-formed XML: an unknown entity &bogus; at position 7.'],
  ])('should refuse %s', (xml, message) => {
    expect(() => parseXml(xml, LIMITS)).toThrow(message);
  });

  it('should refuse input past the size limit', () => {
    expect(() => parseXml(`<fetch>${' '.repeat(2000)}</fetch>`, LIMITS)).toThrow(
      'fetchXml is 2015 characters long; the limit is 1000. Simplify it.',
    );
  });
});

describe('FetchXML checks', () => {
  it('should accept a join and give unaliased link-entities their name as alias', async () => {
    const checked = await checkFetchXml(
      '<fetch><entity name="contact"><attribute name="fullname"/><link-entity name="account" from="accountid" to="parentcustomerid">' +
        '<attribute name="name"/><filter><condition attribute="industrycode" operator="eq" value="3"/></filter></link-entity>' +
        '<filter type="and"><condition entityname="account" attribute="name" operator="like" value="C%"/></filter></entity></fetch>',
      CONTACT,
      loader,
    );

    expect(checked.aliases).toEqual(new Map([['account', 'account']]));
    expect(serializeXml(checked.root)).toContain('<link-entity name="account" from="accountid" to="parentcustomerid" alias="account">');
  });

  it.each([
    [
      '<fetch><entity name="account"/></fetch>',
      'Invalid fetchXml: the root <entity name="account"> must be the table of the call, "contact".',
    ],
    [
      '<fetch top="5"><entity name="contact"/></fetch>',
      'Invalid fetchXml: <fetch top> is not supported here: use the top parameter of list_records instead of <fetch top>.',
    ],
    [
      '<fetch aggregate="true"><entity name="contact"/></fetch>',
      'Invalid fetchXml: <fetch aggregate> is not supported here: call aggregate_records for counts, sums and averages.',
    ],
    [
      '<fetch><entity name="contact"><attribute name="fulname"/></entity></fetch>',
      'Invalid fetchXml: contact has no attribute "fulname" (in <attribute>). Did you mean "fullname"? Call get_table_schema with table "contact" for the names.',
    ],
    [
      '<fetch><entity name="contact"><attribute name="_parentcustomerid_value"/></entity></fetch>',
      'Invalid fetchXml: attribute "_parentcustomerid_value" of contact: FetchXML names lookups by their logical name, "parentcustomerid".',
    ],
    [
      '<fetch><entity name="contact"><link-entity name="acount" from="accountid" to="parentcustomerid"/></entity></fetch>',
      'Invalid fetchXml: link-entity "acount": There is no table "acount" in this Dataverse environment.',
    ],
    [
      '<fetch><entity name="contact"><link-entity name="account" from="accountid" to="parentcustomer"/></entity></fetch>',
      'Invalid fetchXml: contact has no attribute "parentcustomer" (in <link-entity to>). Did you mean "parentcustomerid"? Call get_table_schema with table "contact" for the names.',
    ],
    ['<fetch><entity name="contact"><join/></entity></fetch>', 'Invalid fetchXml: <join> is not a FetchXML element here.'],
    [
      '<fetch><entity name="contact"><filter><condition entityname="acc" attribute="name" operator="eq" value="x"/></filter></entity></fetch>',
      'Invalid fetchXml: <condition entityname="acc"> names no link-entity alias.',
    ],
  ])('should refuse %s', async (xml, message) => {
    expect(await rejection(xml)).toBe(message);
  });
});

describe('FetchXML paging and $batch', () => {
  it('should read the paging cookie decoded twice and put paging on the fetch', () => {
    const annotation =
      '<cookie pagenumber="2" pagingcookie="%253ccookie%2520page%253d%25221%2522%253e%253c%252fcookie%253e" istracking="False" />';
    const cookie = pagingCookieOf(annotation);

    expect(cookie).toBe('<cookie page="1"></cookie>');
    const paged = withPaging(parseXml('<fetch page="9"><entity name="contact"/></fetch>', LIMITS), 2, 10, cookie);
    expect(serializeXml(paged)).toBe(
      '<fetch page="2" count="10" paging-cookie="&lt;cookie page=&quot;1&quot;&gt;&lt;/cookie&gt;"><entity name="contact"/></fetch>',
    );
  });

  it('should wrap a GET in a batch and read the answer part', () => {
    const { boundary, body } = buildBatchGet('/api/data/v9.2/', 'contacts?fetchXml=%3Cfetch%2F%3E', 'odata.include-annotations="*"');

    expect(body).toBe(
      `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n` +
        'GET /api/data/v9.2/contacts?fetchXml=%3Cfetch%2F%3E HTTP/1.1\r\nAccept: application/json\r\nPrefer: odata.include-annotations="*"\r\n\r\n\r\n' +
        `--${boundary}--\r\n`,
    );
    const answer =
      '--batchresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Type: application/json; odata.metadata=minimal\r\nOData-Version: 4.0\r\n\r\n{"value":[{"fullname":"A"}]}\r\n--batchresponse_1--\r\n';
    const part = parseBatchResponse('multipart/mixed; boundary=batchresponse_1', answer);
    expect(part).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' },
      body: '{"value":[{"fullname":"A"}]}',
    });
  });
});
