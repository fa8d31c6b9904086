import { ApiResult } from './context';

/**
 * Metadata answers, kept as the JSON text they were written as. Table definitions never change once the model is
 * built, so a repeated metadata GET (every cold schema load asks the same dozen) is answered without rendering and
 * serialising the definitions again. Only successful answers are kept; an error is thrown by `render` and so never kept.
 * Keys are the decoded path and query (plus whatever else the answer depends on, such as a table's audit setting),
 * so at most `limit` answers are kept and the store starts over when it is full.
 */
export class MetadataAnswers {
  private readonly kept = new Map<string, ApiResult>();

  constructor(private readonly limit = 256) {}

  answer(key: string, render: () => ApiResult): ApiResult {
    const hit = this.kept.get(key);
    if (hit) return hit;
    const result = render();
    if (result.status !== 200 || result.body === undefined) return result;
    const kept: ApiResult = {
      status: result.status,
      json: JSON.stringify(result.body),
      ...(result.headers ? { headers: result.headers } : {}),
    };
    if (this.kept.size >= this.limit) this.kept.clear();
    this.kept.set(key, kept);
    return kept;
  }
}
