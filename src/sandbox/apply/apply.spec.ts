import { startEmulator } from '../index';
import { ANNOTATIONS, call } from '../spec-support';
import { EmulatorHandle } from '../types';

const FV = '@OData.Community.Display.V1.FormattedValue';
const LLN = '@Microsoft.Dynamics.CRM.lookuplogicalname';

describe('emulator $apply', () => {
  let em: EmulatorHandle;
  const rows = (set: string) => {
    const out: Record<string, any>[] = [];
    em.store.count(set, (r) => (out.push(r), false));
    return out;
  };
  const apply = (set: string, expr: string, extra = '', headers: Record<string, string> = ANNOTATIONS) =>
    call(em, `${set}?$apply=${encodeURIComponent(expr)}${extra}`, { headers });

  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(async () => {
    await em.close();
  });

  it('should count active contacts per owner with lookup annotations on the _ownerid_value key', async () => {
    const r = await apply('contacts', 'filter(statecode eq 0)/groupby((_ownerid_value),aggregate($count as count))');
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${em.apiUrl}$metadata#contacts`);
    const active = rows('contacts').filter((c) => c.statecode === 0);
    const owners = new Set(active.map((c) => c._ownerid_value));
    expect(owners.size).toBeGreaterThan(5);
    expect(r.json.value).toHaveLength(owners.size);
    for (const g of r.json.value) {
      const mine = active.filter((c) => c._ownerid_value === g._ownerid_value);
      expect(g.count).toBe(mine.length);
      expect(g[`count${FV}`]).toBe(String(mine.length));
      expect(g[`_ownerid_value${LLN}`]).toBe(mine[0][`_ownerid_value${LLN}`]);
      const owner = em.store.get(g[`_ownerid_value${LLN}`] === 'team' ? 'teams' : 'systemusers', g._ownerid_value)!;
      expect(g[`_ownerid_value${FV}`]).toBe(owner.fullname ?? owner.name);
    }
    expect(r.json.value.some((g: any) => g[`_ownerid_value${LLN}`] === 'team')).toBe(true);
  });

  it('should sum the estimated revenue of open opportunities per owner with currency formatting', async () => {
    const r = await apply(
      'opportunities',
      'filter(statecode eq 0)/groupby((_ownerid_value),aggregate(estimatedvalue with sum as total,$count as n))',
    );
    expect(r.status).toBe(200);
    const open = rows('opportunities').filter((o) => o.statecode === 0);
    let n = 0;
    for (const g of r.json.value) {
      const mine = open.filter((o) => o._ownerid_value === g._ownerid_value);
      const total = mine.reduce((s, o) => s + o.estimatedvalue, 0);
      expect(g.total).toBe(total);
      expect(g[`total${FV}`]).toBe(`$${total.toLocaleString('en-US')}.00`);
      n += g.n;
    }
    expect(n).toBe(open.length);
  });

  it('should count accounts per industry with the choice labels, null industry as a row without the key', async () => {
    const r = await apply('accounts', 'groupby((industrycode),aggregate($count as count))');
    const accounts = rows('accounts');
    const withIndustry = r.json.value.filter((g: any) => 'industrycode' in g);
    expect(withIndustry.length).toBeGreaterThan(10);
    expect(withIndustry.find((g: any) => g.industrycode === 1)[`industrycode${FV}`]).toBe('Accounting');
    for (const g of withIndustry) expect(g.count).toBe(accounts.filter((a) => a.industrycode === g.industrycode).length);
    const none = r.json.value.filter((g: any) => !('industrycode' in g));
    expect(none).toEqual([{ [`count${FV}`]: expect.any(String), count: accounts.filter((a) => a.industrycode === null).length }]);
  });

  it('should list distinct values with groupby alone and group by two keys', async () => {
    const r = await apply('accounts', 'groupby((statuscode))', '', {});
    expect(r.json.value).toEqual([{ statuscode: 1 }, { statuscode: 2 }]);
    const two = await apply('opportunities', 'groupby((statecode,statuscode))', '', {});
    const pairs = new Set(rows('opportunities').map((o) => `${o.statecode}/${o.statuscode}`));
    expect(two.json.value.map((g: any) => `${g.statecode}/${g.statuscode}`).sort()).toEqual([...pairs].sort());
  });

  it('should aggregate without groupby: sum, average, min, max and countdistinct', async () => {
    const r = await apply(
      'accounts',
      'aggregate(revenue with sum as total,revenue with average as avg,revenue with min as lo,revenue with max as hi,_ownerid_value with countdistinct as owners,createdon with max as last)',
      '',
      {},
    );
    expect(r.status).toBe(200);
    const revs = rows('accounts')
      .map((a) => a.revenue)
      .filter((v) => v !== null);
    const sum = revs.reduce((s, v) => s + v, 0);
    const [row] = r.json.value;
    expect(row.total).toBe(sum);
    expect(row.avg).toBeCloseTo(sum / revs.length, 3);
    expect(row.lo).toBe(Math.min(...revs));
    expect(row.hi).toBe(Math.max(...revs));
    expect(row.owners).toBe(new Set(rows('accounts').map((a) => a._ownerid_value)).size);
    expect(row.last).toBe(
      rows('accounts')
        .map((a) => a.createdon)
        .sort()
        .pop(),
    );
  });

  it('should group by a navigation path with the documented key name', async () => {
    const r = await apply('accounts', "filter(address1_city eq 'Seattle')/groupby((primarycontactid/fullname))", '', {});
    expect(r.status).toBe(200);
    const names = r.json.value.filter((g: any) => g.contact_fullname).map((g: any) => g.contact_fullname);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(typeof n).toBe('string');
  });

  it('should order by a group key and apply $top, but refuse $orderby on an aggregate', async () => {
    const r = await apply('accounts', 'groupby((industrycode),aggregate($count as count))', '&$orderby=industrycode desc&$top=3', {});
    const codes = [...new Set(rows('accounts').map((a) => a.industrycode))].filter((c) => c !== null).sort((a, b) => b - a);
    expect(r.json.value.map((g: any) => g.industrycode)).toEqual(codes.slice(0, 3));
    const bad = await apply('accounts', 'groupby((industrycode),aggregate($count as count))', '&$orderby=count desc', {});
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe('The query node SingleValueOpenPropertyAccess is not supported.');
  });

  it('should refuse groupby on a date and time, unknown properties, bad methods and syntax errors', async () => {
    const date = await apply('leads', 'groupby((createdon))');
    expect(date.status).toBe(400);
    expect(date.json.error.message).toBe("The groupby of the date and time property 'createdon' is not supported.");
    const unknown = await apply('contacts', 'groupby((ownerid))');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toEqual({
      code: '0x80060888',
      message: "Could not find a property named 'ownerid' on type 'Microsoft.Dynamics.CRM.contact'.",
    });
    const method = await apply('accounts', 'aggregate(revenue with median as m)');
    expect(method.json.error.message).toBe("The aggregation method 'median' is not supported.");
    const syntax = await apply('accounts', 'groupby(industrycode)');
    expect(syntax.status).toBe(400);
    expect(syntax.json.error.message).toMatch(/^Syntax error at position \d+ in 'groupby\(industrycode\)'\.$/);
    const sumText = await apply('accounts', 'aggregate(name with sum as s)');
    expect(sumText.json.error.message).toBe("The aggregation method 'sum' cannot be applied to the property 'name'.");
  });

  it('should answer AggregateQueryRecordLimit when more rows than the limit feed the aggregate', async () => {
    const small = await startEmulator({ aggregateRecordLimit: 100 });
    try {
      const r = await call(small, `contacts?$apply=${encodeURIComponent('groupby((statecode),aggregate($count as c))')}`);
      expect(r.status).toBe(400);
      expect(r.json.error).toEqual({ code: '0x8004E023', message: 'AggregateQueryRecordLimit exceeded. Cannot perform this operation.' });
      const narrowed = await call(
        small,
        `contacts?$apply=${encodeURIComponent("filter(address1_city eq 'Seattle')/aggregate($count as c)")}`,
      );
      expect(narrowed.status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
