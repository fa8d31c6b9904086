import { Logger } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { DataverseError, toToolError } from '../client/dataverse-error';
import { DeleteImpactService, summaryText } from '../delete/delete-impact';
import type { TableSchema } from '../metadata/schema-format';
import { ReadPathFixture, startReadPath } from '../testing/read-path.fixture';
import { explainWriteError, WritesService } from './writes.service';

Logger.overrideLogger(false);

async function toolError(promise: Promise<unknown>): Promise<ToolError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
}

describe('WritesService and DeleteImpactService against the emulator', () => {
  let fx: ReadPathFixture;
  let writes: WritesService;
  let impact: DeleteImpactService;

  beforeAll(async () => {
    fx = await startReadPath();
    writes = fx.get(WritesService);
    impact = fx.get(DeleteImpactService);
  });
  afterAll(async () => {
    await fx?.close();
  });
  beforeEach(() => fx.emulator.requestLog.clear());

  const accountWithContacts = () => {
    // Any account that has contacts (checked against the store, the test's source of truth).
    return fx.inCall(async () => {
      const res = await fx.get(DataverseClient).get<{ value: Array<{ _parentcustomerid_value: string | null }> }>('contacts', {
        query: { $select: 'contactid,_parentcustomerid_value', $filter: 'statecode eq 0' },
      });
      const id = res.body.value.map((r) => r._parentcustomerid_value).find((v) => v && fx.emulator.store.get('accounts', v));
      return id as string;
    });
  };

  it('should create with return=representation and $select of the primary id and name', async () => {
    const { result } = await fx.inCall(() => writes.create('contact', { firstname: 'Una', lastname: 'Unit' }));

    expect(result).toMatchObject({ table: 'contact', entitySetName: 'contacts', name: 'Una Unit', fields: ['firstname', 'lastname'] });
    const post = fx.emulator.requestLog.entries().find((e) => e.method === 'POST')!;
    expect(post.url).toContain('$select=contactid%2Cfullname');
    expect(post.headers.prefer).toContain('return=representation');
    expect(fx.emulator.store.get('contacts', result.id)).toMatchObject({ firstname: 'Una', lastname: 'Unit' });
  });

  it('should send nothing when the data is refused', async () => {
    const err = await toolError(fx.inCall(() => writes.create('contact', { lastname: 'x', nonsense: 1 })));

    expect(err.message).toMatch(/Field "nonsense" does not exist on contact/);
    expect(fx.emulator.requestLog.entries().filter((e) => e.method !== 'GET')).toEqual([]);
  });

  it('should PATCH with If-Match: * and report a missing record without creating it', async () => {
    const id = '0badc0de-0000-4000-8000-00000000000a';
    const before = fx.emulator.store.count('contacts');

    const err = await toolError(fx.inCall(() => writes.update('contact', id, { firstname: 'Ghost' })));

    expect(err.kind).toBe('not_found');
    expect(err.message).toMatch(/nothing was created: updates never create records/);
    expect(fx.emulator.requestLog.entries().find((e) => e.method === 'PATCH')?.headers.ifMatch).toBe('*');
    expect(fx.emulator.store.count('contacts')).toBe(before);
  });

  it('should read one-to-many relationships once and then from the cache', async () => {
    await fx.inCall(() => impact.oneToMany('account'));
    fx.emulator.requestLog.clear();

    const { result } = await fx.inCall(() => impact.oneToMany('account'));

    expect(result).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ referencingEntity: 'contact', referencingAttribute: 'parentcustomerid', cascadeDelete: 'Cascade' }),
      ]),
    );
    expect(fx.emulator.requestLog.entries()).toEqual([]);
  });

  it('should count cascading contacts as the store holds them and keep the etag', async () => {
    const { result: accountId } = await accountWithContacts();
    const contacts = fx.emulator.store.count('contacts', (r) => r._parentcustomerid_value === accountId);

    const { result } = await fx.inCall(() => impact.summarize('accounts', accountId));

    expect(result.table.logicalName).toBe('account');
    expect(result.etag).toBe(`W/"${String(fx.emulator.store.get('accounts', accountId)!.versionnumber)}"`);
    expect(result.summary.deletedWithIt).toEqual(
      expect.arrayContaining([{ relationship: 'contact_customer_accounts', table: 'contact', field: 'parentcustomerid', count: contacts }]),
    );
    expect(result.summary.name).toBe(fx.emulator.store.get('accounts', accountId)!.name);
    expect(result.summary.blocked).toBe(false);
    expect(fx.emulator.requestLog.entries().filter((e) => e.method !== 'GET')).toEqual([]);
  });

  it('should report a missing record when summarising', async () => {
    const err = await toolError(fx.inCall(() => impact.summarize('contact', '0badc0de-0000-4000-8000-00000000000b')));
    expect(err.kind).toBe('not_found');
  });
});

describe('DeleteImpactService.execute error mapping', () => {
  const fail = (kind: ConstructorParameters<typeof DataverseError>[0], status: number, code?: string, message?: string) =>
    toToolError(new DataverseError(kind, { method: 'DELETE', path: 'contacts(x)', status, code, dataverseMessage: message }), {
      table: 'contact',
    });
  const service = (error: unknown) =>
    new DeleteImpactService({ delete: () => Promise.reject(error) } as never, {} as never, {} as never, {} as never);
  const proposal = {
    table: 'contact',
    entitySet: 'contacts',
    id: '0badc0de-0000-4000-8000-00000000000c',
    etag: 'W/"1"',
    summary: { name: 'Jane' },
  };

  it('should not delete a record changed since the proposal and say to propose again', async () => {
    const err = await toolError(service(fail('precondition_failed', 412, '0x80060882')).execute(proposal));
    expect(err.message).toMatch(
      /contact "Jane" .* was changed after the delete was proposed, so it was NOT deleted.*Call delete_record again/,
    );
    expect(err.details).toMatchObject({ reason: 'changed_since_proposal' });
  });

  it('should explain a restrict refusal and a record that is gone', async () => {
    expect(
      (
        await toolError(
          service(
            fail(
              'bad_request',
              400,
              '0x80040227',
              'The object you tried to delete is associated with another object and cannot be deleted.',
            ),
          ).execute(proposal),
        )
      ).message,
    ).toMatch(/other records still reference it .* Reassign or delete those records first/);
    expect(
      (await toolError(service(fail('not_found', 404, '0x80040217', 'contact With Id = x Does Not Exist')).execute(proposal))).message,
    ).toMatch(/no longer exists/);
  });
});

describe('explainWriteError', () => {
  const schema = { logicalName: 'contact' } as TableSchema;
  const notFound = (message: string) =>
    toToolError(
      new DataverseError('not_found', { method: 'PATCH', path: 'contacts(x)', status: 404, code: '0x80040217', dataverseMessage: message }),
      { table: 'contact' },
    );

  it('should tell a missing related record from a missing record being updated', () => {
    const related = explainWriteError(
      notFound('account With Id = 11111111-1111-1111-1111-111111111111 Does Not Exist'),
      schema,
      'update',
      '22222222-2222-2222-2222-222222222222',
    ) as ToolError;
    expect(related.message).toMatch(/The related account record 11111111-.* does not exist.*Nothing was changed/);
    const self = explainWriteError(
      notFound('contact With Id = 22222222-2222-2222-2222-222222222222 Does Not Exist'),
      schema,
      'update',
      '22222222-2222-2222-2222-222222222222',
    ) as ToolError;
    expect(self.message).toMatch(/No contact record with id 22222222-.* nothing was created/);
  });
});

describe('summaryText', () => {
  const summary = {
    table: 'account',
    id: 'a',
    name: 'Contoso',
    fields: { accountnumber: 'ACC-1', statuscode: 'Active' },
    deletedWithIt: [{ relationship: 'r1', table: 'contact', field: 'parentcustomerid', count: 3 }],
    unlinked: [{ relationship: 'r2', table: 'lead', field: 'customerid', count: 1 }],
    blocking: [
      {
        relationship: 'r3',
        table: 'cr8a1_project',
        field: 'cr8a1_accountid',
        count: 4,
        records: [
          { id: 'p1', name: 'Roof' },
          { id: 'p2', name: 'Walls' },
        ],
      },
    ],
    blocked: true,
  };

  it('should put blocking, cascading and unlinked records into words with display names', () => {
    const text = summaryText(summary, {
      table: 'Account',
      fields: { accountnumber: 'Account Number', statuscode: 'Status Reason' },
      related: {
        r1: { table: 'Contact', field: 'Company Name' },
        r2: { table: 'Lead', field: 'Potential Customer' },
        r3: { table: 'Project', field: 'Account' },
      },
    });
    expect(text).toBe(
      'Delete the Account "Contoso". Account Number: ACC-1; Status Reason: Active. ' +
        'This delete will be refused: 4 Project records (Account): "Roof" (p1), "Walls" (p2) and more still point to it. Reassign or delete them first. ' +
        'Also deleted with it: 3 Contact records (Company Name), and records that belong to those in turn. ' +
        'Kept, but no longer linked to it: 1 Lead record (Potential Customer).',
    );
  });

  it('should fall back to logical names and never speak of system tables', () => {
    const text = summaryText({
      ...summary,
      blocked: false,
      blocking: [{ relationship: 'r4', table: 'task', field: 'regardingobjectid', count: null }],
    });
    expect(text).toContain('Delete the account "Contoso". accountnumber: ACC-1');
    expect(text).toContain(
      'Could not check for linked task records (regardingobjectid); if there are any, Dataverse will refuse the delete.',
    );
    expect(text).not.toMatch(/system tables|cascade|via /);
  });
});
