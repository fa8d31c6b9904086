import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { PinoLogger } from 'nestjs-pino';
import { storage, Store } from 'nestjs-pino/storage';
import pino from 'pino';
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { callContext, CallContext } from '../common/call-context';
import { ToolError } from '../common/tool-error';
import { REDACT_PATHS } from '../logging/redaction';
import { AuditInterceptor, flushAuditLines } from './audit.interceptor';

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
    // Written once the answer can have gone out: the next turn of the event loop.
    expect(lines).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ context: 'audit', audit: true, tool: 'read', outcome: 'ok', userId: 'u1', table: 'contact' });
    expect(lines[0].argNames).toEqual(['filter', 'table']);
    expect(lines[0].dataverseRequestIds).toEqual(['r1']);
    expect(JSON.stringify(lines[0])).not.toContain('secret');
    expect(lines[1]).toMatchObject({ outcome: 'error', errorKind: 'not_found' });
  });

  it('should keep the redaction pass for events that carry tool-set extras', async () => {
    await inCall({ token: 'abc', proposal: 'created' }, () => audit.around(context({}), async () => ({ content: [] })));
    flushAuditLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ context: 'audit', proposal: 'created', token: '[redacted]' });
  });

  it("should write each waiting line through its own call's request logger", async () => {
    // Two calls in two request scopes end in the same turn of the event loop; their lines are written together.
    const inRequest = (req: string) =>
      storage.run(new Store(root.child({ req })), () =>
        inCall({}, () => audit.around(context({ table: req }), async () => ({ content: [] }))),
      );
    await Promise.all([inRequest('r-one'), inRequest('r-two')]);
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines.map((l) => [l.table, l.req, l.context])).toEqual([
      ['r-one', 'r-one', 'audit'],
      ['r-two', 'r-two', 'audit'],
    ]);
  });

  it('should write the lines still waiting at once when flushed (as at exit), each once, in call order', async () => {
    for (const table of ['a', 'b', 'c']) await inCall({}, () => audit.around(context({ table }), async () => ({ content: [] })));
    expect(lines).toHaveLength(0);
    flushAuditLines();
    expect(lines.map((l) => l.table)).toEqual(['a', 'b', 'c']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(3);
  });

  it('should still write a waiting line when the process dies right after the call', async () => {
    // A real process: the call ends, and an uncaught error ends the process before the next turn of the event loop.
    const script = `
      const { Reflector } = require('@nestjs/core');
      const { ExecutionContextHost } = require('@nestjs/core/helpers/execution-context-host');
      const { PinoLogger } = require('nestjs-pino');
      const pino = require('pino');
      const { callContext } = require('./src/common/call-context');
      const { AuditInterceptor } = require('./src/audit/audit.interceptor');
      const root = pino({ level: 'info' }, pino.destination({ dest: 1, sync: true }));
      const audit = new AuditInterceptor(new Reflector(), new PinoLogger({ pinoHttp: { logger: root } }));
      class Tools { read() {} }
      const ctx = { tool: 'read', dataverseRequestIds: [], auditExtras: {} };
      callContext.run(ctx, () => audit.around(new ExecutionContextHost([{ table: 'contact' }], Tools, Tools.prototype.read), async () => ({ content: [] })))
        .then(() => { throw new Error('crash'); });`;
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-e', script],
        { cwd: `${__dirname}/../..` },
        (error, stdout) => resolve({ code: child.exitCode, stdout }),
      );
    });

    expect(out.code).not.toBe(0);
    expect(out.stdout).toContain('"audit":true');
    expect(out.stdout).toContain('"table":"contact"');
  }, 30_000);
});
