import { Logger } from '@nestjs/common';
import { startEmulator, EmulatorHandle } from '../../sandbox';
import { MetadataService } from './metadata.service';
import { startReadPath, ReadPathFixture } from '../testing/read-path.fixture';

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
});
