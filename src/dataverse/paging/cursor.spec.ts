import { CursorCodec } from './cursor-codec';
import { checkCursorState, checkPageLink, CursorState } from './cursor-state';

const state: CursorState = { v: 1, e: 'org.crm.dynamics.com', u: 'abc', t: 'contacts', l: 'contacts?$select=fullname', n: 20, o: 0 };

describe('CursorCodec', () => {
  it('should round-trip what it signed and refuse edits, unsigned payloads and other keys', () => {
    const codec = new CursorCodec({});
    const cursor = codec.encode(state);
    expect(codec.decode(cursor)).toEqual(state);

    const [payload, sig] = cursor.split('.');
    const edited = Buffer.from(JSON.stringify({ ...state, o: 499 })).toString('base64url');
    expect(codec.decode(`${edited}.${sig}`)).toBeUndefined();
    expect(codec.decode(payload)).toBeUndefined();
    expect(codec.decode(`${payload}.${sig.slice(0, -2)}`)).toBeUndefined();
    expect(codec.decode(`${payload}.${sig}.x`)).toBeUndefined();
    expect(new CursorCodec({}).decode(cursor)).toBeUndefined();
  });

  it('should accept cursors across processes that share CLIENT_SECRET', () => {
    const cursor = new CursorCodec({ clientSecret: 's3cret' }).encode(state);
    expect(new CursorCodec({ clientSecret: 's3cret' }).decode(cursor)).toEqual(state);
    expect(new CursorCodec({ clientSecret: 'other' }).decode(cursor)).toBeUndefined();
  });
});

describe('checkCursorState and checkPageLink', () => {
  it('should accept what list_records itself produces, including a Dataverse skiptoken', () => {
    expect(checkCursorState(state, 'contacts')).toEqual(state);
    expect(() =>
      checkPageLink(
        'contacts?$select=fullname%2C_parentcustomerid_value&$filter=statecode%20eq%200&$orderby=fullname%20desc&$skiptoken=%3Ccookie%20pagenumber=%222%22%20/%3E',
        'contacts',
      ),
    ).not.toThrow();
  });

  it.each<[string, Partial<CursorState>]>([
    ['an offset past the page', { o: 20 }],
    ['a negative offset', { o: -1 }],
    ['an unbounded page size', { n: 100_000 }],
    ['a fractional page size', { n: 2.5 }],
    ['another version', { v: 2 as 1 }],
    ['$expand', { l: 'contacts?$select=fullname&$expand=parentcustomerid_account' }],
    ['a filter over the limit', { l: `contacts?$filter=${encodeURIComponent(`name eq '${'x'.repeat(4001)}'`)}` }],
    ['an unchecked select value', { l: 'contacts?$select=fullname,(x)' }],
    ['too many select fields', { l: `contacts?$select=${Array.from({ length: 201 }, (_, i) => `f${i}`).join(',')}` }],
    ['a bad orderby', { l: 'contacts?$orderby=fullname%20sideways' }],
    ['a repeated option', { l: 'contacts?$select=fullname&$select=contactid' }],
    ['$top', { l: 'contacts?$top=5000' }],
    ['another path', { l: 'WhoAmI' }],
    ['a path escape', { l: 'contacts/../accounts' }],
    ['a fragment', { l: 'contacts?$select=fullname#x' }],
  ])('should refuse a cursor with %s', (_label, change) => {
    expect(() => checkCursorState({ ...state, ...change }, 'contacts')).toThrow(/run the query again without cursor/);
  });

  it('should refuse what is not a cursor state at all', () => {
    for (const value of [undefined, null, 'x', [], { v: 1 }]) {
      expect(() => checkCursorState(value, 'contacts')).toThrow(/run the query again without cursor/);
    }
  });
});
