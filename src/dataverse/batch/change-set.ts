import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { dataverseKindOf } from '../client/dataverse-error';
import { BatchRequest, changeSetBatch, parseBatchResponse, partMessage } from './multipart';

export interface ChangeSetWording {
  /** e.g. "20 contact creates". */
  what: string;
  /** e.g. "Nothing was created". */
  nothing: string;
  /** How to find out whether an unanswered change set was applied. */
  check: string;
  /** Names request i for the model, e.g. "records[3]". */
  describeRow: (i: number) => string;
  /** Why request i failed, from the service's status and message. */
  explain: (i: number, status: number, message: string | undefined) => string;
  /** What to do next after a refusal (default: fix that row and send all the rows again). */
  next?: (where: string) => string;
}

export interface AppliedRequest {
  status: number;
  /** Id from `OData-EntityId` (creates). */
  entityId?: string;
}

/** Longest wait for one change set: 30 s plus 150 ms a request, at most 3 minutes. */
export function changeSetTimeoutMs(requests: number): number {
  return Math.min(180_000, 30_000 + requests * 150);
}

/** Network failures that happen before a request reaches the service: nothing can have been applied. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * Sends the requests as one atomic change set and returns each one's answer in order; when the service refuses
 * the change set, throws an error naming the failing request (Content-ID → index) and the service's reason.
 * An unanswered change set may have been applied: the error says so and how to check, never to send it again.
 */
export async function runChangeSet(dv: DataverseClient, requests: BatchRequest[], wording: ChangeSetWording): Promise<AppliedRequest[]> {
  const { boundary, body } = changeSetBatch(requests);
  let res;
  try {
    res = await dv.batch(boundary, body, { timeoutMs: changeSetTimeoutMs(requests.length) });
  } catch (error) {
    const kind = dataverseKindOf(error);
    const code =
      error instanceof ToolError ? (error as { cause?: { info?: { networkCode?: string } } }).cause?.info?.networkCode : undefined;
    if (kind === 'timeout' || (kind === 'network' && !NOT_SENT.has(code ?? '')) || kind === 'unavailable') {
      throw new ToolError(
        'unavailable',
        `The change set (${wording.what}) was sent but Dataverse did not answer (${kind === 'timeout' ? 'timeout' : (code ?? 'connection lost')}), so it may have been applied — all of it or none of it, never part. ${wording.check}`,
        { outcome: 'unknown' },
      );
    }
    if (error instanceof ToolError) throw new ToolError(error.kind, `${wording.nothing}: ${error.message}`, error.details);
    throw error;
  }
  const parts = parseBatchResponse(res.body, headerOf(res.headers['content-type']));
  const failed = parts.find((p) => p.status >= 400);
  if (failed || res.status >= 400) {
    const index = failed?.contentId !== undefined ? Number(failed.contentId) - 1 : -1;
    const where = index >= 0 && index < requests.length ? wording.describeRow(index) : 'a request in the change set';
    const reason = failed ? wording.explain(index, failed.status, partMessage(failed)) : `HTTP ${res.status}`;
    throw new ToolError(
      failed?.status === 403 ? 'forbidden' : failed?.status === 412 ? 'conflict' : 'invalid_input',
      `${wording.nothing}: Dataverse refused ${where}: ${reason}. The change set was rolled back, so nothing was written. ${wording.next ? wording.next(where) : `Fix ${where} and send all the rows again.`}`,
      { failedIndex: index, status: failed?.status },
    );
  }
  if (parts.length !== requests.length) {
    throw new ToolError(
      'internal',
      `Dataverse answered the change set (${wording.what}) with ${parts.length} results for ${requests.length} requests, so whether it was applied is unclear. ${wording.check}`,
      { outcome: 'unknown' },
    );
  }
  const ordered: AppliedRequest[] = new Array(requests.length);
  parts.forEach((p, i) => {
    const idx = p.contentId !== undefined ? Number(p.contentId) - 1 : i;
    const entityId = /\(([0-9a-fA-F-]{36})\)\s*$/.exec(p.headers['odata-entityid'] ?? '')?.[1]?.toLowerCase();
    ordered[idx >= 0 && idx < requests.length ? idx : i] = { status: p.status, entityId };
  });
  return ordered;
}

function headerOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
