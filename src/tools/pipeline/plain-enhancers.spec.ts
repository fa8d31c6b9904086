import { CanActivate, ExecutionContext, Injectable, Logger, UseGuards, UseInterceptors } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { InFlightCalls } from '../../common/in-flight-calls';
import { ToolError } from '../../common/tool-error';
import { READ_ANNOTATIONS } from '../annotations';
import { PlainInterceptor, ToolPipelineService } from './tool-pipeline.service';

const order: string[] = [];

@Injectable()
class Gate implements CanActivate {
  open: boolean | 'throw' = true;
  canActivate(context: ExecutionContext): boolean {
    order.push(`guard:${(context.getArgByIndex(0) as { q: string }).q}`);
    if (this.open === 'throw') throw new ToolError('sign_in_required', 'Call sign_in first.');
    return this.open;
  }
}

@Injectable()
class Around implements PlainInterceptor {
  outcomes: string[] = [];
  async around<T>(context: ExecutionContext, next: () => Promise<T>): Promise<T> {
    order.push(`before:${context.getClass().name}.${context.getHandler().name}`);
    try {
      const result = await next();
      this.outcomes.push('ok');
      return result;
    } catch (error) {
      this.outcomes.push('error');
      throw error;
    }
  }
}

@Injectable()
@UseInterceptors(Around)
@UseGuards(Gate)
class GuardedTools {
  @Tool({ name: 'guarded_read', description: 'x', parameters: z.object({ q: z.string() }), annotations: READ_ANNOTATIONS })
  async read(args: { q: string }): Promise<CallToolResult> {
    order.push('tool');
    if (args.q === 'fail') throw new ToolError('invalid_input', 'q is wrong.');
    return { content: [{ type: 'text', text: `hi ${args.q}` }] };
  }
}

describe('ToolPipelineService plain enhancers (no rxjs per call)', () => {
  let tools: GuardedTools;
  let gate: Gate;
  let around: Around;
  let close: () => Promise<void>;
  const call = (q: string) => (tools.read as (args: unknown) => Promise<CallToolResult>)({ q });
  const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [GuardedTools, Gate, Around, ToolPipelineService, InFlightCalls],
    }).compile();
    const app = await moduleRef.init();
    tools = app.get(GuardedTools);
    gate = app.get(Gate);
    around = app.get(Around);
    close = () => app.close();
  });
  afterAll(async () => {
    await close();
    jest.restoreAllMocks();
  });
  beforeEach(() => {
    order.length = 0;
    around.outcomes = [];
    gate.open = true;
  });

  it('should run the guards first, then the interceptor around the tool, with the class and handler in the context', async () => {
    expect(text(await call('a'))).toBe('hi a');
    expect(order).toEqual(['guard:a', 'before:GuardedTools.read', 'tool']);
    expect(around.outcomes).toEqual(['ok']);
  });

  it('should let the interceptor see a failing tool, and turn the failure into an isError result', async () => {
    const r = await call('fail');
    expect(r.isError).toBe(true);
    expect(text(r)).toBe('q is wrong.');
    expect(around.outcomes).toEqual(['error']);
  });

  it('should not run the tool (nor the interceptor) when a guard refuses or throws', async () => {
    gate.open = 'throw';
    expect(text(await call('b'))).toBe('Call sign_in first.');
    gate.open = false;
    const refused = await call('c');
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain('Forbidden');
    expect(order).toEqual(['guard:b', 'guard:c']);
    expect(around.outcomes).toEqual([]);
  });
});
