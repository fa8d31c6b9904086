import { ToolError } from '../../common/tool-error';
import { mapLimited } from '../../common/map-limited';
import { containsLiteral, nameScore, plainText, rankHits } from './name-fallback';
import { OUTPUT_BUDGET_CHARS, withinBudget } from './search.service';
import { MAX_HIGHLIGHT_CHARS, parseSearchResponse, parseSearchStatus, readableHighlights, TableKeys } from './search-response';

const keys = new Map<string, TableKeys>([
  ['account', { name: 'name', id: 'accountid' }],
  ['cr8a1_project', { name: 'cr8a1_name', id: 'cr8a1_projectid' }],
]);

const wrap = (inner: unknown) => ({ '@odata.context': 'x#Microsoft.Dynamics.CRM.searchqueryResponse', response: JSON.stringify(inner) });

describe('search response parsing', () => {
  it('should parse the escaped response string into hits best first with name, highlights and other fields', () => {
    const body = wrap({
      Error: null,
      Value: [
        {
          Id: 'AAAAAAAA-0000-0000-0000-000000000002',
          EntityName: 'cr8a1_project',
          Attributes: { '@search.objecttypecode': 10421, cr8a1_name: 'Contoso ERP', cr8a1_code: 'PRJ-1' },
          Highlights: { cr8a1_name: ['{crmhit}Contoso{/crmhit} ERP'] },
          Score: 2.5,
        },
        {
          Id: 'aaaaaaaa-0000-0000-0000-000000000001',
          EntityName: 'account',
          Attributes: { '@search.objecttypecode': 1, name: 'Contoso Ltd', accountid: 'x', telephone1: null },
          Highlights: { name: ['{crmhit}Contoso{/crmhit} Ltd'] },
          Score: 4.95123,
        },
      ],
      Facets: {},
      QueryContext: null,
      Count: 2,
    });

    const parsed = parseSearchResponse(body, keys);

    expect(parsed).toEqual({
      totalCount: 2,
      hits: [
        {
          table: 'account',
          id: 'aaaaaaaa-0000-0000-0000-000000000001',
          name: 'Contoso Ltd',
          score: 4.951,
          highlights: { name: '**Contoso** Ltd' },
        },
        {
          table: 'cr8a1_project',
          id: 'aaaaaaaa-0000-0000-0000-000000000002',
          name: 'Contoso ERP',
          score: 2.5,
          highlights: { cr8a1_name: '**Contoso** ERP' },
          fields: { cr8a1_code: 'PRJ-1' },
        },
      ],
    });
  });

  it('should leave totalCount out when Count is -1 and skip hits without an id or table', () => {
    const parsed = parseSearchResponse(wrap({ Error: null, Value: [{ EntityName: 'account' }, { Id: 'x' }], Count: -1 }), keys);

    expect(parsed).toEqual({ hits: [] });
  });

  it('should report an Error of the response, and a response that is not JSON, as tool errors', () => {
    expect(() => parseSearchResponse(wrap({ Error: { Message: 'Bad syntax' }, Value: [] }), keys)).toThrow(
      'Dataverse search reported an error: Bad syntax',
    );
    expect(() => parseSearchResponse({ response: '{not json' }, keys)).toThrow(ToolError);
    expect(() => parseSearchResponse({}, keys)).toThrow('Dataverse answered the search with a response this server cannot read');
  });

  it('should join fragments, cap each highlight without leaving bold open, and keep at most three fields', () => {
    const long = `{crmhit}${'word '.repeat(30)}{/crmhit} tail ${'x'.repeat(200)}`;

    const h = readableHighlights({ a: ['{crmhit}one{/crmhit}', 'two {crmhit}three{/crmhit}'], b: [long], c: ['c'], d: ['d'] })!;

    expect(Object.keys(h)).toEqual(['a', 'b', 'c']);
    expect(h.a).toBe('**one** … two **three**');
    expect(h.b.length).toBeLessThanOrEqual(MAX_HIGHLIGHT_CHARS + 2);
    expect((h.b.match(/\*\*/g) ?? []).length % 2).toBe(0);
  });

  it('should read searchstatus into the status and each table with its primary name and indexed fields', () => {
    const body = {
      response: JSON.stringify({
        value: {
          status: 'Provisioned',
          entitystatusresults: [
            { entitylogicalname: 'account', primarynamefield: 'name', searchableindexedfieldinfomap: { name: {}, accountnumber: {} } },
            { objecttypecode: 3 },
          ],
        },
      }),
    };

    const status = parseSearchStatus(body);

    expect(status.status).toBe('provisioned');
    expect([...status.tables.values()]).toEqual([
      { logicalName: 'account', primaryName: 'name', searchColumns: ['name', 'accountnumber'] },
    ]);
  });
});

describe('primary-name fallback helpers', () => {
  it('should double quotes and bracket the wildcard characters in a contains literal', () => {
    expect(containsLiteral("O'Brien 50%_[x]")).toBe("'O''Brien 50[%][_][[]x]'");
  });

  it('should drop search operators and keep the words', () => {
    expect(plainText('"Contoso Ltd" +pharma* -old | x')).toBe('Contoso Ltd pharma old x');
    expect(plainText('**')).toBe('');
  });

  it('should rank exact over prefix over word prefix over contains, then by name', () => {
    const hits = ['Big Contoso', 'Contoso Ltd', 'Contoso', 'Xcontosox', 'Another Contoso'].map((name, i) => ({
      table: 'account',
      id: String(i),
      name,
      score: nameScore(name, 'contoso'),
    }));

    expect(rankHits(hits, 4).map((h) => h.name)).toEqual(['Contoso', 'Contoso Ltd', 'Another Contoso', 'Big Contoso']);
  });

  it('should run at most the given number of calls at once and keep the input order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 + (n % 3)));
      running--;
      return n * 10;
    });

    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });
});

describe('search output budget', () => {
  it('should leave later results out and say so when the answer would pass the budget', () => {
    const hit = (i: number) => ({ table: 'account', id: String(i), name: 'x'.repeat(1000), score: 1 });
    const many = Array.from({ length: 100 }, (_, i) => hit(i));

    const cut = withinBudget(many);
    const small = withinBudget(many.slice(0, 3));

    expect(cut.truncated).toBe(true);
    expect(JSON.stringify(cut.results).length).toBeLessThanOrEqual(OUTPUT_BUDGET_CHARS);
    expect(cut.results.length).toBeGreaterThan(30);
    expect(small).toEqual({ results: many.slice(0, 3) });
  });
});
