import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { stringifyKnown } from '../../common/known-json';

/**
 * A successful tool result: a short text for the model followed by the same data as JSON,
 * and `structuredContent` matching the tool's `outputSchema` (MCP: results SHOULD repeat the JSON as text).
 */
export function toolResult<T extends Record<string, unknown>>(summary: string, structured: T): CallToolResult {
  // Members whose JSON is known (a list_records page) are not serialised again.
  const json = stringifyKnown(structured) as string;
  return {
    content: [{ type: 'text', text: summary ? `${summary}\n${json}` : json }],
    structuredContent: structured,
  };
}

export function toolErrorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

const reusable = new WeakSet<object>();

/**
 * Marks a result a tool hands out again, unchanged, to later calls (a cached table schema's): its JSON is then
 * written once and reused by the transports (src/mcp/dispatch/serialize-answer.ts). The result must not change.
 */
export function reusableResult<T extends object>(result: T): T {
  reusable.add(result);
  return result;
}

export function isReusableResult(value: unknown): value is object {
  return typeof value === 'object' && value !== null && reusable.has(value);
}
