import { ApiError } from '../errors';
import { startEmulator } from '../index';
import { call } from '../spec-support';
import { EmulatorHandle } from '../types';
import { AuditTrail } from '../audit/audit-trail';
import { withTableAuditSetting } from '../audit/audit-routes';
import { getModel } from '../metadata/registry';
import { parseOptions, parseQueryString } from '../odata/query';
import { ApiContext } from './context';
import { getEntity, listEntities } from './metadata';
import { MetadataAnswers } from './metadata-answers';

describe('MetadataAnswers', () => {
  it('should render an answer once per key and hand out its JSON text after that', () => {
    const answers = new MetadataAnswers();
    let renders = 0;
    const render = () => ({ status: 200, body: { value: [{ LogicalName: `n${++renders}` }] } });

    const first = answers.answer('a', render);
    const second = answers.answer('a', render);
    const other = answers.answer('b', render);

    expect(renders).toBe(2);
    expect(first.json).toBe('{"value":[{"LogicalName":"n1"}]}');
    expect(second).toBe(first);
    expect(other.json).toBe('{"value":[{"LogicalName":"n2"}]}');
  });

  it('should keep neither errors nor answers other than 200', () => {
    const answers = new MetadataAnswers();
    let renders = 0;
    const failing = () => {
      renders++;
      throw new ApiError(404, '0x80040217', 'Could not find entity.');
    };
    const created = () => ({ status: 204, headers: { a: String(++renders) } });

    expect(() => answers.answer('x', failing)).toThrow('Could not find entity.');
    expect(() => answers.answer('x', failing)).toThrow('Could not find entity.');
    expect(answers.answer('y', created)).toEqual({ status: 204, headers: { a: '3' } });
    expect(answers.answer('y', created)).toEqual({ status: 204, headers: { a: '4' } });
  });

  it('should keep at most its limit of answers', () => {
    const answers = new MetadataAnswers(2);
    let renders = 0;
    const render = () => ({ status: 200, body: { n: ++renders } });

    for (const key of ['a', 'b', 'c', 'a', 'b', 'c']) answers.answer(key, render);

    // 'c' found the store full and started it over, so 'a' and 'b' were rendered again.
    expect(renders).toBe(6);
    expect(answers.answer('c', render).json).toBe('{"n":6}');
  });
});

describe('Dataverse emulator: kept metadata answers', () => {
  let em: EmulatorHandle;
  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(async () => {
    await em.close();
  });

  const picklists =
    "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)";

  it('should answer a repeated metadata query with the same bytes as a fresh emulator', async () => {
    const fresh = await startEmulator();
    try {
      const first = await call(em, picklists);
      const again = await call(em, picklists);
      const elsewhere = await call(fresh, picklists);

      expect(first.status).toBe(200);
      expect(first.json.value.length).toBeGreaterThan(0);
      expect(again.text).toBe(first.text);
      expect(elsewhere.text).toBe(first.text.split(em.apiUrl).join(fresh.apiUrl));
      expect(again.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
    } finally {
      await fresh.close();
    }
  });

  it("should follow a table's audit switch after its definition was read", async () => {
    const path = "EntityDefinitions(LogicalName='account')?$select=LogicalName,IsAuditEnabled";
    const on = await call(em, path);
    em.audit.set({ disabledTables: ['account'] });
    const off = await call(em, path);
    em.audit.set({ disabledTables: [] });
    const onAgain = await call(em, path);

    expect(on.json.IsAuditEnabled.Value).toBe(true);
    expect(off.json.IsAuditEnabled.Value).toBe(false);
    expect(onAgain.text).toBe(on.text);
  });

  it("should not let one definition's audit switch change the shared rendering of the table", () => {
    const model = getModel();
    const ctx = { model, apiUrl: 'http://emulator/' } as ApiContext;
    const contact = model.entities.get('contact')!;
    const select = (query: string) => parseOptions(parseQueryString(query));
    const listed = () => listEntities(ctx, select("$select=LogicalName,IsAuditEnabled&$filter=LogicalName eq 'contact'")).body;
    const before = listed();

    const definition = withTableAuditSetting(
      { tableEnabled: () => true } as unknown as AuditTrail,
      contact,
      getEntity(ctx, contact, select('$select=LogicalName,IsAuditEnabled')),
    ).body as { IsAuditEnabled: { Value: boolean } };

    expect(definition.IsAuditEnabled.Value).toBe(true);
    expect(listed()).toEqual(before);
  });

  it('should still cut a kept answer under the truncated-success fault, and still refuse a bad query', async () => {
    const whole = await call(em, picklists);
    em.controls.set({ hostileResponses: { kind: 'truncatedSuccess', count: 1, methods: ['GET'] } });
    const cut = await call(em, picklists);
    const bad = await call(em, "EntityDefinitions(LogicalName='account')/Attributes?$select=NoSuchProperty");

    expect(cut.status).toBe(200);
    expect(cut.text.length).toBeLessThan(whole.text.length);
    expect(() => JSON.parse(cut.text)).toThrow();
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('NoSuchProperty');
  });
});
