import { isReusableResult } from '../../tools/pipeline/tool-result';
import type { JsonRpcAnswer } from './mcp-dispatcher';

const rendered = new WeakMap<object, string>();

/**
 * An answer as JSON text, the same bytes as `JSON.stringify(answer)`: a result marked reusable (reusableResult) is
 * serialised on first use and its text reused, so a cached schema costs one string join per call, not a walk of
 * its fields.
 */
export function serializeAnswer(answer: JsonRpcAnswer): string {
  if (!('result' in answer) || !isReusableResult(answer.result)) return JSON.stringify(answer);
  let json = rendered.get(answer.result);
  if (json === undefined) {
    json = JSON.stringify(answer.result);
    rendered.set(answer.result, json);
  }
  return `{"result":${json},"jsonrpc":"2.0","id":${JSON.stringify(answer.id)}}`;
}
