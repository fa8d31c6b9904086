import { stringifyKnown } from '../../common/known-json';
import { isReusableResult } from '../../tools/pipeline/tool-result';
import type { JsonRpcAnswer } from './mcp-dispatcher';

const rendered = new WeakMap<object, string>();

/**
 * An answer as JSON text, the same bytes as `JSON.stringify(answer)`:
 * - a result marked reusable (reusableResult) is serialised on first use and its text reused, so a cached schema
 *   costs one string join per call, not a walk of its fields;
 * - a tool result is written member by member down to its structured content's members, so JSON known for them
 *   (a list_records page, see known-json.ts) is reused rather than written again.
 */
export function serializeAnswer(answer: JsonRpcAnswer): string {
  if (!('result' in answer)) return JSON.stringify(answer);
  let json: string | undefined;
  if (isReusableResult(answer.result)) {
    json = rendered.get(answer.result);
    if (json === undefined) {
      json = JSON.stringify(answer.result);
      rendered.set(answer.result, json);
    }
  } else if (hasStructuredContent(answer.result)) {
    json = stringifyKnown(answer.result, 2);
  } else {
    return JSON.stringify(answer);
  }
  return `{"result":${json},"jsonrpc":"2.0","id":${JSON.stringify(answer.id)}}`;
}

function hasStructuredContent(result: unknown): boolean {
  const structured = (result as { structuredContent?: unknown } | null)?.structuredContent;
  return typeof structured === 'object' && structured !== null;
}
