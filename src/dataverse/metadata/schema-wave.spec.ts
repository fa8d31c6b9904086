import { Logger } from '@nestjs/common';
import { startEmulator, EmulatorHandle } from '../../sandbox';
import { MetadataService } from './metadata.service';
import { startReadPath, ReadPathFixture } from '../testing/read-path.fixture';
import { CacheService } from '../../cache/cache.service';
import { cacheKeys } from '../../cache/cache-keys';
import { DataverseClient } from '../client/dataverse.client';

/** Cold get_table_schema: the schema, the extras and the table list in one wave of requests. */
describe('MetadataService.getSchemaWith', () => {
  let emulator: EmulatorHandle;
  let f: ReadPathFixture;
  let metadata: MetadataService;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
    jest.restoreAllMocks();
  });
  beforeEach(async () => {
    f = await startReadPath({ emulator });
    metadata = f.get(MetadataService);
    await metadata.refresh();
    emulator.requestLog.clear();
    // Every request waits: a request sent after another's answer shows as a second wave.
    emulator.controls.set({ latencyMs: 300 });
  });
  afterEach(async () => {
    emulator.controls.reset();
    await f.close();
  });

  const answered = () => emulator.requestLog.entries().filter((e) => e.status !== 0).length;

  it('should start the extras and every schema request before any answer arrives, table list included', async () => {
    const seen: Array<{ name: string; answered: number }> = [];
    const { schema, extra } = await metadata.getSchemaWith('contact', async (name) => {
      seen.push({ name, answered: answered() });
      return name.length;
    });
    expect(schema.logicalName).toBe('contact');
    expect(extra).toBe(7);
    expect(seen).toEqual([{ name: 'contact', answered: 0 }]);
    const urls = emulator.requestLog.entries().map((e) => e.url);
    expect(urls.some((u) => u.startsWith('/api/data/v9.2/EntityDefinitions?'))).toBe(true);
    // Nothing was sent after the first answer: one wave (entity sets of lookup targets come from the table list).
    const firstAnswer = Math.min(...emulator.requestLog.entries().map((e) => e.at)) + 300;
    expect(emulator.requestLog.entries().filter((e) => e.at >= firstAnswer)).toEqual([]);
  });

  it('should load again under the resolved name when the typed one was an entity set name', async () => {
    const names: string[] = [];
    const { schema, extra } = await metadata.getSchemaWith('contacts', async (name) => (names.push(name), name));
    expect(schema.logicalName).toBe('contact');
    expect(extra).toBe('contact');
    expect(names).toEqual(['contacts', 'contact']);
  });

  it('should resolve first, with no guess, when the table list is cached', async () => {
    await metadata.listTables();
    emulator.requestLog.clear();
    const names: string[] = [];
    const { schema } = await metadata.getSchemaWith('contacts', async (name) => (names.push(name), name));
    expect(schema.logicalName).toBe('contact');
    expect(names).toEqual(['contact']);
    expect(emulator.requestLog.entries().filter((e) => e.status === 404)).toEqual([]);
  });

  it('should read the N:N and 1:N relationships in the definition request, with no request of their own', async () => {
    emulator.controls.reset();
    const schema = await metadata.getSchema('account');
    expect(schema.relationships).toContainEqual({
      name: 'accountleads_association',
      nav: 'accountleads_association',
      table: 'lead',
      kind: 'N:N',
    });
    expect(schema.relationships?.some((r) => r.kind === '1:N' && r.table === 'contact')).toBe(true);
    const urls = emulator.requestLog.entries().map((e) => decodeURIComponent(e.url));
    expect(urls.filter((u) => /\/(ManyToMany|OneToMany)Relationships/.test(u))).toEqual([]);
    expect(
      urls.filter((u) => u.includes('ManyToManyRelationships($select=') && u.includes('OneToManyRelationships($select=')),
    ).toHaveLength(1);
    await expect(metadata.relationshipsOf(schema)).resolves.toBe(schema.relationships);
  });

  it('should read the relationships on their own for a schema cached without them', async () => {
    emulator.controls.reset();
    const { relationships, ...older } = await metadata.getSchema('account');
    const key = cacheKeys.schema(f.get(DataverseClient).envHost, emulator.sandboxUserId, 'account');
    await f.get(CacheService).set(key, older, 3600);
    emulator.requestLog.clear();
    const cached = await metadata.getSchema('account');
    expect(cached.relationships).toBeUndefined();
    await expect(metadata.relationshipsOf(cached)).resolves.toEqual(relationships);
    expect(emulator.requestLog.entries().map((e) => e.url.split('?')[0])).toEqual([
      "/api/data/v9.2/EntityDefinitions(LogicalName='account')/ManyToManyRelationships",
      "/api/data/v9.2/EntityDefinitions(LogicalName='account')/OneToManyRelationships",
    ]);
  });
});
