import { ToolError } from '../../common/tool-error';
import type { DataverseClient } from '../client/dataverse.client';
import type { MetadataService } from '../metadata/metadata.service';
import { aggregateFetch, applyExpression, planAggregate } from './aggregate-plan';
import { AggregateService } from './aggregate.service';
import type { FetchRunner } from './fetch-runner';
import { odataToFetchFilter } from './odata-to-fetch';
import { CONTACT, OPPORTUNITY, SCHEMAS } from './testing/schemas.fixture';
import { serializeXml } from './xml';

const F = '@OData.Community.Display.V1.FormattedValue';
const L = '@Microsoft.Dynamics.CRM.lookuplogicalname';

function service(rows: Record<string, unknown>[], error?: Error) {
  const getRelative = jest.fn(async () => {
    if (error) throw error;
    return { status: 200, headers: {}, body: { value: rows } };
  });
  const run = jest.fn(async () => {
    if (error) throw error;
    return { rows, more: false };
  });
  const metadata = {
    resolveTable: async (t: string) => {
      const s = SCHEMAS[t];
      return { logicalName: s.logicalName, entitySetName: s.entitySetName, primaryIdAttribute: s.primaryIdAttribute };
    },
    getSchema: async (t: string) => SCHEMAS[t],
    listTables: async () => [],
  } as unknown as MetadataService;
  const svc = new AggregateService({ getRelative } as unknown as DataverseClient, metadata, { run } as unknown as FetchRunner);
  return { svc, getRelative, run };
}

const rejection = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (error) {
    if (error instanceof ToolError) return error.message;
    throw error;
  }
  throw new Error('expected a ToolError');
};

describe('aggregate plans', () => {
  it('should express per-owner counts and sums with $apply', () => {
    const plan = planAggregate(OPPORTUNITY, ['ownerid'], [{ op: 'count' }, { op: 'sum', field: 'estimatedvalue', as: 'revenue' }]);

    expect(plan.mode).toBe('apply');
    expect(applyExpression(plan, 'statecode eq 0')).toBe(
      'filter(statecode eq 0)/groupby((_ownerid_value),aggregate($count as a0,estimatedvalue with sum as a1))',
    );
    expect(applyExpression(planAggregate(OPPORTUNITY, [], [{ op: 'avg', field: 'estimatedvalue' }]))).toBe(
      'aggregate(estimatedvalue with average as a0)',
    );
  });

  it('should use FetchXML for date grouping and distinct counts, with the filter translated', () => {
    const plan = planAggregate(CONTACT, ['createdon:month'], [{ op: 'countDistinct', field: 'parentcustomerid' }]);

    expect(plan.mode).toBe('fetch');
    expect(
      serializeXml(aggregateFetch(plan, CONTACT, "createdon ge 2026-01-01T00:00:00Z and (statecode eq 0 or contains(fullname,'a'))")),
    ).toBe(
      '<fetch aggregate="true"><entity name="contact">' +
        '<attribute name="createdon" alias="g0_year" groupby="true" dategrouping="year"/>' +
        '<attribute name="createdon" alias="g0_month" groupby="true" dategrouping="month"/>' +
        '<attribute name="parentcustomerid" alias="a0" aggregate="countcolumn" distinct="true"/>' +
        '<filter type="and"><condition attribute="createdon" operator="ge" value="2026-01-01T00:00:00Z"/>' +
        '<filter type="or"><condition attribute="statecode" operator="eq" value="0"/><condition attribute="fullname" operator="like" value="%a%"/></filter>' +
        '</filter></entity></fetch>',
    );
  });

  it.each([
    [
      ['parentcustomer'],
      [],
      'Field "parentcustomer" in groupBy does not exist on contact. Did you mean "parentcustomerid"? Call get_table_schema with table "contact" (includeReadOnly: true) for every field name.',
    ],
    [['createdon'], [], 'groupBy "createdon": group a date by a part, e.g. "createdon:month".'],
    [['fullname:month'], [], 'groupBy "fullname:month": fullname is string(160), not a date; only dates take :month.'],
    [['createdon:decade'], [], 'groupBy "createdon:decade": a date field may end in :year, :quarter, :month, :week, :day.'],
    [
      [],
      [{ op: 'sum' as const, field: 'fullname' }],
      'sum needs a number or money field; fullname is string(160). Use count or countDistinct for it.',
    ],
    [[], [{ op: 'avg' as const }], 'aggregate avg needs a field.'],
    [['statecode'], [{ op: 'count' as const, as: 'statecode' }], '"statecode" is used twice; give the aggregates different "as" names.'],
  ])('should refuse groupBy %j with aggregates %j', (groupBy, aggregates, message) => {
    expect(() => planAggregate(CONTACT, groupBy, aggregates)).toThrow(message);
  });

  it('should refuse a filter FetchXML cannot carry', () => {
    expect(() => odataToFetchFilter("not contains(fullname,'a')", CONTACT)).toThrow(/uses not, which cannot be translated/);
  });
});

describe('AggregateService', () => {
  it('should answer open opportunities per owner with revenue sums, largest count first, money formatted', async () => {
    const owner = (id: string, name: string) => ({
      _ownerid_value: id,
      [`_ownerid_value${F}`]: name,
      [`_ownerid_value${L}`]: 'systemuser',
    });
    const { svc, getRelative } = service([
      { ...owner('u1', 'Ann'), a0: 2, a1: 5000, [`a1${F}`]: '$5,000.00' },
      { ...owner('u2', 'Bob'), a0: 5, a1: 12000.5, [`a1${F}`]: '$12,000.50' },
    ]);

    const result = await svc.aggregate({
      table: 'opportunity',
      filter: 'statecode eq 0',
      groupBy: ['ownerid'],
      aggregates: [{ op: 'count' }, { op: 'sum', field: 'estimatedvalue' }],
    });

    expect(getRelative).toHaveBeenCalledWith(
      `opportunities?$apply=${encodeURIComponent('filter(statecode eq 0)/groupby((_ownerid_value),aggregate($count as a0,estimatedvalue with sum as a1))')}`,
      expect.anything(),
    );
    expect(result).toEqual({
      table: 'opportunity',
      groupCount: 2,
      columns: ['ownerid', 'count', 'sum_estimatedvalue'],
      groups: [
        {
          ownerid: { id: 'u2', table: 'systemuser', name: 'Bob' },
          count: 5,
          sum_estimatedvalue: 12000.5,
          'sum_estimatedvalue@label': '$12,000.50',
        },
        {
          ownerid: { id: 'u1', table: 'systemuser', name: 'Ann' },
          count: 2,
          sum_estimatedvalue: 5000,
          'sum_estimatedvalue@label': '$5,000.00',
        },
      ],
    });
  });

  it('should label choice groups and cut at top', async () => {
    const { svc } = service([
      { industrycode: 1, [`industrycode${F}`]: 'Accounting', a0: 3 },
      { industrycode: 3, [`industrycode${F}`]: 'Consulting', a0: 7 },
      { a0: 1 },
    ]);

    const result = await svc.aggregate({ table: 'account', groupBy: ['industrycode'], top: 2 });

    expect(result.groups).toEqual([
      { industrycode: 3, 'industrycode@label': 'Consulting', count: 7 },
      { industrycode: 1, 'industrycode@label': 'Accounting', count: 3 },
    ]);
    expect(result).toMatchObject({ groupCount: 3, truncated: true });
  });

  it('should combine FetchXML date groupings into one readable value', async () => {
    const { svc, run } = service([
      { g0_year: 2026, g0_month: 3, a0: 4 },
      { g0_year: 2026, g0_month: 11, a0: 9 },
    ]);

    const result = await svc.aggregate({ table: 'contact', groupBy: ['createdon:month'], filter: 'createdon ge 2026-01-01T00:00:00Z' });

    expect(run).toHaveBeenCalledTimes(1);
    expect(result.groups).toEqual([
      { 'createdon:month': '2026-11', count: 9 },
      { 'createdon:month': '2026-03', count: 4 },
    ]);
  });

  it('should turn the aggregate row limit into "narrow the filter"', async () => {
    const limit = new ToolError(
      'invalid_input',
      'Dataverse rejected the request (HTTP 400): AggregateQueryRecordLimit exceeded. Cannot perform this operation.',
      {
        code: '0x8004E023',
      },
    );
    const { svc } = service([], limit);

    expect(await rejection(svc.aggregate({ table: 'contact', groupBy: ['ownerid'] }))).toBe(
      "More than 50,000 contact records are behind this aggregate (the service's AggregateQueryRecordLimit). Narrow the filter (e.g. a date range or a status) and aggregate the parts.",
    );
  });

  it('should keep min/max of a date as the date', async () => {
    const { svc } = service([{ a0: '2026-01-03T10:00:00Z', a1: '2026-11-15T08:00:00Z' }]);

    const result = await svc.aggregate({
      table: 'contact',
      aggregates: [
        { op: 'min', field: 'createdon' },
        { op: 'max', field: 'createdon', as: 'latest' },
      ],
    });

    expect(result.groups).toEqual([{ min_createdon: '2026-01-03T10:00:00Z', latest: '2026-11-15T08:00:00Z' }]);
  });
});
