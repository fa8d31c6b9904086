import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MCP_TOOL_METADATA_KEY, Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { InFlightCalls } from '../../common/in-flight-calls';
import { CREATE_ANNOTATIONS, READ_ANNOTATIONS } from '../annotations';
import { ToolPipelineService } from './tool-pipeline.service';

const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

@Injectable()
class FakeTools {
  calls = 0;

  @Tool({
    name: 'fake_create',
    description: 'x',
    parameters: z.object({ data: z.record(z.string(), z.unknown()) }),
    annotations: CREATE_ANNOTATIONS,
  })
  async create(): Promise<CallToolResult> {
    this.calls++;
    throw new TypeError("Cannot read properties of null (reading 'x')");
  }

  @Tool({ name: 'fake_read', description: 'x', parameters: z.object({ filter: z.string() }), annotations: READ_ANNOTATIONS })
  async read(): Promise<CallToolResult> {
    this.calls++;
    throw new TypeError('boom');
  }
}

describe('ToolPipelineService', () => {
  let tools: FakeTools;
  let close: () => Promise<void>;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [FakeTools, ToolPipelineService, InFlightCalls],
    }).compile();
    const app = await moduleRef.init();
    tools = app.get(FakeTools);
    close = () => app.close();
  });
  afterAll(async () => {
    await close();
    jest.restoreAllMocks();
  });

  it('should never invite a blind retry when a tool that changes Dataverse fails unexpectedly', async () => {
    const write = await tools.create();
    expect(write.isError).toBe(true);
    expect(text(write)).toContain(
      'The outcome is unknown: Dataverse may have applied it. Check with list_records or get_record before retrying',
    );
    expect(text(write)).not.toMatch(/Try again/);

    expect(text(await tools.read())).toContain('Try again');
  });

  it("should put the argument limits in front of the tool's schema parse and in front of the tool", async () => {
    const meta = Reflect.getMetadata(MCP_TOOL_METADATA_KEY, tools.create) as { parameters: z.ZodType };
    const parsed = meta.parameters.safeParse({ data: { ['k'.repeat(1 << 20)]: 1 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].message).toContain('keys may have at most 200');
    expect(meta.parameters.safeParse({ data: { lastname: 'x' } }).success).toBe(true);

    const before = tools.calls;
    const refused = await (tools.read as (args: unknown) => Promise<CallToolResult>)({ filter: 'a\ud800' });
    expect(text(refused)).toContain('unpaired UTF-16 surrogate');
    expect(tools.calls).toBe(before);
  });
});
