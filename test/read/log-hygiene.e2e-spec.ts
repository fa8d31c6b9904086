import { startEmulator } from '../../src/sandbox';
import type { EmulatorHandle } from '../../src/sandbox';
import { callTool, connectStdio } from '../support/mcp-clients';

/** What the user typed (filters, values) and tokens never reach the log, even when Dataverse quotes them back. */
describe('log hygiene', () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('should keep a rejected filter and the token out of every log line when Dataverse quotes the filter in its error', async () => {
    const token = emulator.issueToken();
    const { client, stderr } = await connectStdio({ DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: token, LOG_LEVEL: 'debug' });
    try {
      const result = await callTool(client, 'list_records', { table: 'contacts', filter: "fullname eq 'Zebulon-Marker-7731' and (" });
      expect(result.isError).toBe(true);
      expect(result.text).toContain('Zebulon-Marker-7731'); // the model is shown Dataverse's message...
      await new Promise((r) => setTimeout(r, 200));
      expect(stderr()).toContain('"tool":"list_records"'); // ...the audit event is there...
      expect(stderr()).not.toContain('Zebulon-Marker-7731'); // ...but the log never holds the filter
      expect(stderr()).not.toContain(token);
    } finally {
      await client.close();
    }
  });
});
