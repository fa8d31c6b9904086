import { startRedis, TestRedis } from '../support/redis-server';
import { auditEvents, callTool, connectServer, EmulatorHandle, StdioSession, startEmulator } from './write-support';

/**
 * Two-step delete end to end: the built server spawned over stdio by the real MCP SDK client, against the
 * emulator, with proposals in a real redis-server.
 */
describe('delete_record / confirm_delete_record (stdio, Redis)', () => {
  let emulator: EmulatorHandle;
  let redis: TestRedis;
  let env: Record<string, string>;
  let session: StdioSession;
  let entitySets: Record<string, string>;

  /** A fresh contact to delete (so tests never depend on one another's deletes). */
  async function newContact(s: StdioSession = session, lastname = 'Deletable'): Promise<string> {
    const created = await callTool(s.client, 'create_record', { table: 'contact', data: { firstname: 'Test', lastname } });
    expect(created.isError).toBeFalsy();
    return (created.structuredContent as { id: string }).id;
  }

  async function propose(
    id: string,
    s: StdioSession = session,
    table = 'contact',
  ): Promise<{ token: string; expiresAt: string; summary: Record<string, unknown> }> {
    const result = await callTool(s.client, 'delete_record', { table, id });
    expect(result.isError).toBeFalsy();
    return result.structuredContent as { token: string; expiresAt: string; summary: Record<string, unknown> };
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    redis = await startRedis();
    env = { DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: emulator.issueToken(), REDIS_URL: redis.url, LOG_LEVEL: 'info' };
    session = await connectServer(env);
    const tables = await callTool(session.client, 'list_tables', { limit: 500 });
    entitySets = Object.fromEntries(
      (tables.structuredContent as { tables: Array<{ logicalName: string; entitySetName: string }> }).tables.map((t) => [
        t.logicalName,
        t.entitySetName,
      ]),
    );
  });
  afterAll(async () => {
    await session?.close();
    await redis?.stop();
    await emulator?.close();
  });

  it('should delete exactly once and send exactly one DELETE when 100 confirms race with one token', async () => {
    const id = await newContact();
    const { token } = await propose(id);
    emulator.requestLog.clear();

    const results = await Promise.all(Array.from({ length: 100 }, () => callTool(session.client, 'confirm_delete_record', { token })));

    const ok = results.filter((r) => !r.isError);
    expect(ok).toHaveLength(1);
    expect(ok[0].structuredContent).toMatchObject({ deleted: true, table: 'contact', id });
    for (const r of results.filter((x) => x.isError)) expect(r.text).toMatch(/already used/);
    const deletes = emulator.requestLog.entries().filter((e) => e.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0].url).toContain(`contacts(${id})`);
    expect(emulator.store.get('contacts', id)).toBeUndefined();
  });

  it('should send the etag read for the summary as If-Match when deleting', async () => {
    const id = await newContact();
    const { token } = await propose(id);
    const etag = `W/"${String(emulator.store.get('contacts', id)!.versionnumber)}"`;
    emulator.requestLog.clear();

    const result = await callTool(session.client, 'confirm_delete_record', { token });

    expect(result.isError).toBeFalsy();
    const del = emulator.requestLog.entries().find((e) => e.method === 'DELETE');
    expect(del?.headers.ifMatch).toBe(etag);
  });

  it('should delete nothing and say so when the record changed after the summary was shown', async () => {
    const id = await newContact();
    const { token } = await propose(id);
    const changed = await callTool(session.client, 'update_record', { table: 'contact', id, data: { jobtitle: 'Changed meanwhile' } });
    expect(changed.isError).toBeFalsy();

    const result = await callTool(session.client, 'confirm_delete_record', { token });

    expect(result.isError).toBe(true);
    expect(result.text).toContain('delete_record');
    expect(emulator.store.get('contacts', id)).toBeDefined();
  });

  it('should say the token was already used when it is replayed', async () => {
    const id = await newContact();
    const { token } = await propose(id);
    expect((await callTool(session.client, 'confirm_delete_record', { token })).isError).toBeFalsy();

    const replay = await callTool(session.client, 'confirm_delete_record', { token });

    expect(replay.isError).toBe(true);
    expect(replay.text).toMatch(/This token was already used: a delete was already attempted with it at .* Nothing more was deleted/);
  });

  it.each([
    ['empty', '', /No confirmation token was given/],
    ['another kind of string', 'yes please delete', /does not start with "dvdel_"/],
    ['cut off', 'dvdel_abc', /wrong length/],
    ['unknown', `dvdel_${'Q'.repeat(43)}`, /No pending delete matches this token/],
  ])('should refuse a malformed or unknown token (%s) and delete nothing', async (_case, token, message) => {
    emulator.requestLog.clear();

    const result = await callTool(session.client, 'confirm_delete_record', { token });

    expect(result.isError).toBe(true);
    expect(result.text).toMatch(message);
    expect(emulator.requestLog.entries().filter((e) => e.method === 'DELETE')).toHaveLength(0);
  });

  it('should say the token expired when it is confirmed after CONFIRM_TOKEN_TTL_SECONDS', async () => {
    const short = await connectServer({ ...env, CONFIRM_TOKEN_TTL_SECONDS: '1' });
    try {
      const id = await newContact(short);
      const { token } = await propose(id, short);
      await new Promise((r) => setTimeout(r, 1300));

      const result = await callTool(short.client, 'confirm_delete_record', { token });

      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/This confirmation token expired \d+ s ago; call delete_record again/);
      expect(emulator.store.get('contacts', id)).toBeDefined();
    } finally {
      await short.close();
    }
  });

  it('should refuse a token from another user and leave it usable by its owner', async () => {
    const users = await callTool(session.client, 'list_records', {
      table: 'systemuser',
      select: 'fullname',
      filter: `systemuserid ne ${emulator.sandboxUserId}`,
      top: 1,
    });
    const otherUserId = (users.structuredContent as { records: Array<{ systemuserid: string }> }).records[0].systemuserid;
    const other = await connectServer({ ...env, DATAVERSE_ACCESS_TOKEN: emulator.issueToken(otherUserId) });
    try {
      const id = await newContact();
      const { token } = await propose(id);

      const foreign = await callTool(other.client, 'confirm_delete_record', { token });

      expect(foreign.isError).toBe(true);
      expect(foreign.text).toMatch(/belongs to another user/);
      expect(emulator.store.get('contacts', id)).toBeDefined();
      expect((await callTool(session.client, 'confirm_delete_record', { token })).isError).toBeFalsy();
      expect(emulator.store.get('contacts', id)).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('should confirm a proposal after the server process restarted when proposals are in Redis', async () => {
    const first = await connectServer(env);
    const id = await newContact(first);
    const { token } = await propose(id, first);
    await first.close();

    const second = await connectServer(env);
    try {
      const result = await callTool(second.client, 'confirm_delete_record', { token });

      expect(result.isError).toBeFalsy();
      expect(emulator.store.get('contacts', id)).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it('should keep no trace of the plaintext token in any Redis key or value', async () => {
    const id = await newContact();
    const { token } = await propose(id);
    const body = token.slice('dvdel_'.length);

    const keys = (await redis.command('KEYS', '*')) as string[];
    expect(keys.some((k) => k.startsWith('mcp:proposal:'))).toBe(true);
    for (const key of keys) {
      expect(key).not.toContain(body);
      const type = await redis.command('TYPE', key);
      const value = type === 'hash' ? await redis.command('HGETALL', key) : type === 'string' ? await redis.command('GET', key) : '';
      expect(JSON.stringify(value)).not.toContain(body);
      expect(JSON.stringify(value)).not.toContain(body.slice(0, 16));
    }
  });

  it('should count cascading, unlinking and blocking related records exactly as the store holds them', async () => {
    const accounts = await callTool(session.client, 'list_records', { table: 'account', select: 'name', top: 50 });
    const ids = (accounts.structuredContent as { records: Array<{ accountid: string }> }).records.map((r) => r.accountid);
    // The account with the most contacts, so the cascade is not trivially empty.
    const id = ids.sort(
      (a, b) =>
        emulator.store.count('contacts', (r) => r._parentcustomerid_value === b) -
        emulator.store.count('contacts', (r) => r._parentcustomerid_value === a),
    )[0];
    const contacts = emulator.store.count('contacts', (r) => r._parentcustomerid_value === id);
    expect(contacts).toBeGreaterThan(0);

    const before = emulator.requestLog.entries().length;
    const result = await callTool(session.client, 'delete_record', { table: 'account', id });

    expect(result.isError).toBeFalsy();
    const summary = (
      result.structuredContent as {
        summary: {
          deletedWithIt: Array<Record<string, unknown>>;
          unlinked: Array<Record<string, unknown>>;
          blocking: unknown[];
          text: string;
        };
      }
    ).summary;
    expect(summary.deletedWithIt).toEqual(
      expect.arrayContaining([expect.objectContaining({ table: 'contact', field: 'parentcustomerid', count: contacts })]),
    );
    for (const c of [...summary.deletedWithIt, ...summary.unlinked] as Array<{ table: string; field: string; count: number }>) {
      expect({ ...c, stored: emulator.store.count(entitySets[c.table], (r) => r[`_${c.field}_value`] === id) }).toMatchObject({
        stored: c.count,
      });
    }
    expect(summary.text).toContain(`${contacts} Contact record${contacts === 1 ? '' : 's'} (Company Name)`);
    expect(summary.text).toMatch(/^Delete the Account "[^"]+"\. Email: [^;]+; Account Number: /);
    expect(summary.text).not.toMatch(/cascade|via |system tables|regardingobjectid|statuscode/);
    // Nothing was deleted by proposing.
    expect(
      emulator.requestLog
        .entries()
        .slice(before)
        .filter((e) => e.method !== 'GET'),
    ).toEqual([]);
  });

  it('should refuse to propose, naming the blocking records, when a restrict relationship has records', async () => {
    const accounts = await callTool(session.client, 'list_records', { table: 'account', select: 'name', top: 1, orderby: 'name desc' });
    const accountId = (accounts.structuredContent as { records: Array<{ accountid: string }> }).records[0].accountid;
    const project = await callTool(session.client, 'create_record', {
      table: 'cr8a1_project',
      data: { cr8a1_name: 'Blocking project', cr8a1_accountid: { id: accountId }, cr8a1_stage: 'Planning' },
    });
    expect(project.isError).toBeFalsy();
    const n = emulator.store.count('cr8a1_projects', (r) => r._cr8a1_accountid_value === accountId);

    const result = await callTool(session.client, 'delete_record', { table: 'account', id: accountId });

    expect(result.isError).toBe(true);
    const projectId = (project.structuredContent as { id: string }).id;
    expect(result.text).toMatch(
      new RegExp(`This delete will be refused: ${n} Project records? \\(Account\\): "Blocking project" \\(${projectId}\\)`),
    );
    expect(result.text).toMatch(/Reassign or delete them first/);
    expect(result.text).toMatch(/no confirmation token was issued/);
    expect(emulator.store.get('accounts', accountId)).toBeDefined();
  });

  it('should audit proposal created, confirmed and rejected separately, with reasons and never the token', async () => {
    const id = await newContact();
    const { token } = await propose(id);
    await callTool(session.client, 'confirm_delete_record', { token });
    await callTool(session.client, 'confirm_delete_record', { token });
    await new Promise((r) => setTimeout(r, 100));

    const events = auditEvents(session.stderr());
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool: 'delete_record', proposal: 'created', recordId: id }),
        expect.objectContaining({ tool: 'confirm_delete_record', proposal: 'confirmed', recordId: id, deleted: true }),
        expect.objectContaining({ tool: 'confirm_delete_record', proposal: 'rejected', reason: 'already_used' }),
      ]),
    );
    expect(session.stderr()).not.toContain(token.slice('dvdel_'.length));
  });
});

describe('confirm_delete_record with MCP elicitation (stdio)', () => {
  let emulator: EmulatorHandle;
  let env: Record<string, string>;
  const asked: string[] = [];
  let answer: 'accept' | 'decline' | 'cancel' = 'accept';
  let session: StdioSession;

  beforeAll(async () => {
    emulator = await startEmulator();
    env = { DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: emulator.issueToken(), LOG_LEVEL: 'info' };
    session = await connectServer(env, {
      elicit: (message) => {
        asked.push(message);
        return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: answer };
      },
    });
  });
  afterAll(async () => {
    await session?.close();
    await emulator?.close();
  });

  async function proposeContact(lastname: string): Promise<{ id: string; token: string }> {
    const created = await callTool(session.client, 'create_record', { table: 'contact', data: { firstname: 'Elicit', lastname } });
    const id = (created.structuredContent as { id: string }).id;
    const proposal = await callTool(session.client, 'delete_record', { table: 'contact', id });
    return { id, token: (proposal.structuredContent as { token: string }).token };
  }

  it('should ask the human with the summary and delete when they accept', async () => {
    answer = 'accept';
    const { id, token } = await proposeContact('Accepted');

    const result = await callTool(session.client, 'confirm_delete_record', { token });

    expect(result.isError).toBeFalsy();
    expect(asked.at(-1)).toMatch(/^Permanently delete this record\? Delete the Contact "Elicit Accepted"\. Status Reason: Active; Owner: /);
    expect(emulator.store.get('contacts', id)).toBeUndefined();
  });

  it.each(['decline', 'cancel'] as const)('should delete nothing and use up the token when the human answers %s', async (action) => {
    answer = action;
    const { id, token } = await proposeContact(`Kept ${action}`);
    emulator.requestLog.clear();

    const result = await callTool(session.client, 'confirm_delete_record', { token });

    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      new RegExp(
        `The user ${action === 'decline' ? 'declined' : 'dismissed'} the delete of contact "Elicit Kept ${action}", so nothing was deleted`,
      ),
    );
    expect(emulator.store.get('contacts', id)).toBeDefined();
    expect(emulator.requestLog.entries().filter((e) => e.method === 'DELETE')).toHaveLength(0);
    answer = 'accept';
    expect((await callTool(session.client, 'confirm_delete_record', { token })).text).toMatch(/already used/);
    expect(emulator.store.get('contacts', id)).toBeDefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(auditEvents(session.stderr())).toEqual(
      expect.arrayContaining([expect.objectContaining({ proposal: 'rejected', reason: `user_${action}`, recordId: id })]),
    );
  });
});
