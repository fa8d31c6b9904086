import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { Writable } from 'node:stream';
import { callContext, CallContext } from '../common/call-context';
import { ToolError } from '../common/tool-error';
import { REDACT_PATHS } from '../logging/redaction';
import { AuditInterceptor } from './audit.interceptor';

describe('AuditInterceptor.around', () => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const root = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
  const audit = new AuditInterceptor(new Reflector(), new PinoLogger({ pinoHttp: { logger: root } }));
  class Tools {
    read() {}
  }
  const context = (args: Record<string, unknown>) => new ExecutionContextHost([args], Tools, Tools.prototype.read);
  const inCall = <T>(extras: Record<string, unknown>, fn: () => Promise<T>) => {
    const ctx: CallContext = { tool: 'read', dataverseRequestIds: ['r1'], auditExtras: extras, userKey: 'u1' };
    return callContext.run(ctx, fn);
  };

  beforeEach(() => (lines.length = 0));

  it('should write one audit event per call with the outcome, argument names and request ids', async () => {
    await inCall({}, () => audit.around(context({ table: 'contact', filter: 'secret' }), async () => ({ content: [] })));
    await expect(
      inCall({}, () =>
        audit.around(context({ table: 'contact' }), async () => {
          throw new ToolError('not_found', 'gone');
        }),
      ),
    ).rejects.toThrow('gone');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ context: 'audit', audit: true, tool: 'read', outcome: 'ok', userId: 'u1', table: 'contact' });
    expect(lines[0].argNames).toEqual(['filter', 'table']);
    expect(lines[0].dataverseRequestIds).toEqual(['r1']);
    expect(JSON.stringify(lines[0])).not.toContain('secret');
    expect(lines[1]).toMatchObject({ outcome: 'error', errorKind: 'not_found' });
  });

  it('should keep the redaction pass for events that carry tool-set extras', async () => {
    await inCall({ token: 'abc', proposal: 'created' }, () => audit.around(context({}), async () => ({ content: [] })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ context: 'audit', proposal: 'created', token: '[redacted]' });
  });
});
