import { z } from 'zod';
import { connectStdio } from './mcp-clients';

/** What every conversation pays for: the model-visible text and the whole tools/list answer. */
export const SURFACE_BUDGET = { modelVisible: 14_000, toolsList: 24_000 };

export interface ToolSize {
  name: string;
  description: number;
  inputSchema: number;
  outputSchema: number;
  /** name + description + JSON input schema */
  modelVisible: number;
}

export interface SurfaceSize {
  tools: ToolSize[];
  instructions: number;
  /** instructions + every tool's name, description and JSON input schema */
  modelVisible: number;
  /** the JSON of the tools/list result */
  toolsList: number;
}

const RAW_LIST = z.object({
  tools: z.array(
    z.looseObject({ name: z.string(), description: z.string().optional(), inputSchema: z.unknown(), outputSchema: z.unknown() }),
  ),
});

const json = (v: unknown) => (v === undefined ? 0 : JSON.stringify(v).length);

/** Measures the built server over stdio with the real SDK client (`--sandbox`, every toolset on unless `env` says otherwise). */
export async function measureSurface(env: Record<string, string> = {}): Promise<SurfaceSize> {
  const { client } = await connectStdio({ MCP_TRANSPORT: 'stdio', LOG_LEVEL: 'silent', ...env }, ['--sandbox']);
  try {
    const instructions = client.getInstructions()?.length ?? 0;
    // The answer as sent (client.listTools() would drop the fields the SDK does not know, e.g. securitySchemes).
    const result = await client.request({ method: 'tools/list', params: {} }, RAW_LIST);
    const tools = result.tools.map((t) => {
      const description = (t.description ?? '').length;
      const inputSchema = json(t.inputSchema);
      return {
        name: t.name,
        description,
        inputSchema,
        outputSchema: json(t.outputSchema),
        modelVisible: t.name.length + description + inputSchema,
      };
    });
    const modelVisible = instructions + tools.reduce((sum, t) => sum + t.modelVisible, 0);
    return { tools, instructions, modelVisible, toolsList: json(result) };
  } finally {
    await client.close();
  }
}

/** The per-tool breakdown as a fixed-width table, largest model-visible first. */
export function formatSurface(s: SurfaceSize): string {
  const cols = ['tool', 'description', 'input schema', 'output schema', 'model-visible'];
  const rows = [...s.tools]
    .sort((a, b) => b.modelVisible - a.modelVisible)
    .map((t) => [t.name, t.description, t.inputSchema, t.outputSchema, t.modelVisible].map(String));
  rows.push(['(instructions)', '', '', '', String(s.instructions)]);
  rows.push([`total (${s.tools.length} tools)`, '', '', '', String(s.modelVisible)]);
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [
    line(cols),
    ...rows.map(line),
    `model-visible ${s.modelVisible} chars (budget ${SURFACE_BUDGET.modelVisible}); tools/list ${s.toolsList} chars (budget ${SURFACE_BUDGET.toolsList})`,
  ].join('\n');
}
