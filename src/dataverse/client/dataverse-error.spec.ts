import { classifyHttpError, DataverseError, DataverseErrorKind, parsePrivilege, toToolError } from './dataverse-error';

const err = (kind: DataverseErrorKind, info: Partial<DataverseError['info']> = {}) =>
  new DataverseError(kind, { method: 'GET', path: 'contacts', ...info });

describe('Dataverse error mapping', () => {
  it('should classify documented error responses', () => {
    expect(
      classifyHttpError(400, '0x80060888', "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'.", false),
    ).toBe('invalid_field');
    expect(classifyHttpError(400, '0x80060888', "Syntax error at position 7 in 'name eq'.", true)).toBe('bad_filter');
    expect(classifyHttpError(400, '0x0', 'Something else', false)).toBe('bad_request');
    expect(classifyHttpError(404, '0x80040217', 'account With Id = x Does Not Exist', false)).toBe('not_found');
    expect(classifyHttpError(403, '0x80040220', 'missing prvReadAccount', false)).toBe('forbidden');
    expect(classifyHttpError(412, '0x80040333', 'duplicate', false)).toBe('conflict');
    expect(classifyHttpError(412, undefined, 'version', false)).toBe('precondition_failed');
    expect(classifyHttpError(503, undefined, undefined, false)).toBe('unavailable');
  });

  it('should name the unknown field and point to get_table_schema', () => {
    const e = toToolError(
      err('invalid_field', {
        status: 400,
        dataverseMessage: "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'.",
      }),
    );
    expect(e.kind).toBe('invalid_input');
    expect(e.message).toContain('Field "Name" does not exist on table account');
    expect(e.message).toContain('get_table_schema');
  });

  it('should name the missing privilege', () => {
    expect(parsePrivilege('Principal user (Id=1) is missing prvReadAccount privilege')).toEqual({
      privilege: 'prvReadAccount',
      verb: 'Read',
      table: 'Account',
    });
    expect(parsePrivilege('missing prvAppendToContact privilege')?.verb).toBe('AppendTo');
    const e = toToolError(err('forbidden', { status: 403, dataverseMessage: 'Principal user is missing prvWriteContact privilege' }));
    expect(e.kind).toBe('forbidden');
    expect(e.message).toContain('Write privilege on Contact (prvWriteContact)');
  });

  it('should give the Dataverse message and a valid example for a bad filter', () => {
    const e = toToolError(err('bad_filter', { status: 400, dataverseMessage: "Syntax error at position 9 in 'name eqq 1'." }));
    expect(e.message).toContain("Syntax error at position 9 in 'name eqq 1'.");
    expect(e.message).toContain("contains(fullname,'smith')");
  });

  it('should say when to retry a throttled call and mark writes as not applied', () => {
    const read = toToolError(err('throttled', { status: 429, retryAfterSeconds: 42 }));
    expect(read.kind).toBe('throttled');
    expect(read.message).toMatch(/throttling requests .* try again in 42 s/);
    expect(toToolError(err('throttled', { method: 'POST', retryAfterSeconds: 3 })).message).toContain('not applied');
  });

  it('should warn that a failed write may have been applied', () => {
    expect(toToolError(err('unavailable', { method: 'PATCH', status: 503 })).message).toContain('may or may not have been applied');
    expect(toToolError(err('network', { method: 'POST', networkCode: 'ECONNRESET' })).message).toContain(
      'may or may not have been applied',
    );
    expect(toToolError(err('unavailable', { status: 503 })).message).not.toContain('applied');
  });

  it('should map every kind to an actionable ToolError carrying the Dataverse kind', () => {
    const kinds: DataverseErrorKind[] = [
      'unauthorized',
      'forbidden',
      'not_found',
      'invalid_field',
      'bad_filter',
      'bad_request',
      'conflict',
      'precondition_failed',
      'throttled',
      'unavailable',
      'timeout',
      'network',
      'bad_response',
    ];
    for (const kind of kinds) {
      const e = toToolError(err(kind, { requestId: 'r1' }), { table: 'contact', id: '00000000-0000-0000-0000-000000000001' });
      expect(e.message.length).toBeGreaterThan(20);
      expect(e.details).toMatchObject({ dataverseKind: kind, requestId: 'r1' });
    }
    expect(toToolError(err('unauthorized')).kind).toBe('sign_in_required');
    expect(toToolError(err('not_found'), { table: 'contact', id: 'abc' }).message).toContain('No contact record with id abc');
    expect(toToolError(err('not_found', { dataverseMessage: "Resource not found for the segment 'contactz'." })).message).toContain(
      'list_tables',
    );
  });
});
