import { ToolError, ToolErrorKind } from '../../common/tool-error';
import { truncate } from './odata';

/** What went wrong with a Dataverse call, decided once from the status, error code and message. */
export type DataverseErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'invalid_field'
  | 'bad_filter'
  | 'bad_request'
  | 'conflict'
  | 'precondition_failed'
  | 'throttled'
  | 'unavailable'
  | 'timeout'
  | 'network'
  /** A response this server cannot use: over the size limits, undecodable, not JSON, or not the documented shape. */
  | 'bad_response';

/** What was wrong with a `bad_response`. */
export type ResponseProblem = 'too_large' | 'undecodable' | 'not_json' | 'bad_json' | 'bad_shape';

export interface DataverseErrorInfo {
  status?: number;
  /** Dataverse error code such as `0x80040217`. */
  code?: string;
  /** Dataverse's own message (never contains tokens). */
  dataverseMessage?: string;
  method: string;
  /** Request path relative to the API root, without the query (safe to log). */
  path: string;
  requestId?: string;
  retryAfterSeconds?: number;
  /** Node error code for network failures (`ECONNRESET`, ...). */
  networkCode?: string;
  timeoutMs?: number;
  /** For `bad_response`: what was wrong, the size limit reached, and a short neutral description (never a value). */
  responseProblem?: ResponseProblem;
  limitBytes?: number;
  detail?: string;
}

/** Context a caller can add so the message names what the user asked for. */
export interface ErrorContext {
  table?: string;
  id?: string;
}

/** A failed Dataverse call. Raised inside the client; callers receive it as the `cause` of a ToolError. */
export class DataverseError extends Error {
  constructor(
    readonly kind: DataverseErrorKind,
    readonly info: DataverseErrorInfo,
  ) {
    super(
      `${info.method} ${info.path} failed: ${kind}${info.status ? ` (HTTP ${info.status})` : ''}${info.dataverseMessage ? `: ${truncate(info.dataverseMessage, 300)}` : ''}`,
    );
    this.name = 'DataverseError';
  }
}

/** Decides the kind of an HTTP error response. */
export function classifyHttpError(
  status: number,
  code: string | undefined,
  message: string | undefined,
  hasFilter: boolean,
): DataverseErrorKind {
  const msg = message ?? '';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'throttled';
  if (status === 409) return 'conflict';
  if (code === '0x80040333') return 'conflict'; // duplicate detection (412 or 500)
  if (status === 412) return 'precondition_failed';
  if (status === 400) {
    if (/Could not find a property named|Invalid property '.*' was found|undeclared property/i.test(msg)) return 'invalid_field';
    if (hasFilter && /syntax error|position \d+|\$filter|is not a valid|unknown function|query|incompatible types/i.test(msg))
      return 'bad_filter';
    return 'bad_request';
  }
  if (status >= 500) return 'unavailable';
  return 'bad_request';
}

const FILTER_EXAMPLE =
  "Valid syntax, for example: contains(fullname,'smith') and statecode eq 0 and createdon ge 2024-01-01T00:00:00Z; " +
  'lookups as _parentcustomerid_value eq 00000000-0000-0000-0000-000000000000 (GUIDs unquoted, text in single quotes, ' +
  "a quote inside text doubled: 'O''Brien'); field names are lowercase logical names from get_table_schema.";

const PRIVILEGE_VERBS = ['AppendTo', 'Append', 'Assign', 'Create', 'Delete', 'Read', 'Share', 'Write'] as const;

/** `prvReadAccount` → `Read` privilege on `Account`. */
export function parsePrivilege(message: string | undefined): { privilege: string; verb: string; table: string } | undefined {
  const match = /\b(prv([A-Z][A-Za-z]*?)([A-Z][A-Za-z0-9_]*))\b/.exec(message ?? '');
  if (!match) return undefined;
  const full = match[1].slice(3);
  const verb = PRIVILEGE_VERBS.find((v) => full.startsWith(v));
  if (!verb) return { privilege: match[1], verb: match[2], table: match[3] };
  return { privilege: match[1], verb, table: full.slice(verb.length) };
}

/** The fix for a value of the wrong type ("Found operand types 'Edm.Guid' and 'Edm.String'"). */
export function typeMismatchFix(message: string | undefined): string | undefined {
  const m = /operand types '([^']+)' and '([^']+)'/i.exec(message ?? '');
  if (!m) return undefined;
  const types = [m[1], m[2]];
  const has = (t: string) => types.some((x) => x.includes(t));
  if (has('Edm.Guid') && has('Edm.String'))
    return 'GUIDs are not quoted: write _parentcustomerid_value eq 00000000-0000-0000-0000-000000000000.';
  if (has('Edm.Int') && has('Edm.String')) {
    return 'Choices are compared with their numbers, not their labels (statecode eq 0 for "Active"); get_table_schema lists each choice\'s numbers.';
  }
  if (has('Edm.DateTimeOffset') && has('Edm.String'))
    return 'Dates are not quoted and carry a time zone: createdon ge 2024-01-01T00:00:00Z.';
  if (has('Edm.Boolean') && has('Edm.String')) return 'Yes/no fields are compared with true or false, unquoted.';
  return undefined;
}

function isWrite(method: string): boolean {
  return method !== 'GET';
}

/**
 * The one place where a Dataverse failure becomes text for the model (exhaustive over the kinds):
 * what happened, and what to do next.
 */
export function toToolError(error: DataverseError, ctx: ErrorContext = {}): ToolError {
  const { info } = error;
  const dvMessage = info.dataverseMessage ? truncate(info.dataverseMessage.trim(), 400) : undefined;
  const tableName = ctx.table ?? /Microsoft\.Dynamics\.CRM\.([a-z0-9_]+)/.exec(info.dataverseMessage ?? '')?.[1];
  const write = isWrite(info.method);
  const mayHaveApplied = write
    ? ' The change may or may not have been applied: check with get_record (or list_records) before trying again.'
    : '';
  let kind: ToolErrorKind;
  let text: string;
  switch (error.kind) {
    case 'unauthorized':
      kind = 'sign_in_required';
      text =
        'Dataverse did not accept the sign-in (401 Unauthorized), even after refreshing the token. ' +
        'Call sign_in to sign in again (show the user the URL it returns), then retry this request.';
      break;
    case 'forbidden': {
      kind = 'forbidden';
      const p = parsePrivilege(info.dataverseMessage);
      text = p
        ? `You do not have the ${p.verb} privilege on ${p.table} (${p.privilege}) in Dataverse, so this was refused. ` +
          'Ask your Dataverse administrator for a security role that grants it; nothing was changed.'
        : `Dataverse refused this request (403 Forbidden)${dvMessage ? `: ${dvMessage}` : ''}. ` +
          'Your security role does not allow it; ask your Dataverse administrator. Nothing was changed.';
      break;
    }
    case 'not_found': {
      kind = 'not_found';
      const segment = /Resource not found for the segment '([^']+)'/i.exec(info.dataverseMessage ?? '')?.[1];
      if (segment) {
        text = `Dataverse has no table or endpoint called "${segment}". Call list_tables to find the table's name.`;
      } else if (ctx.id || /Does Not Exist/i.test(info.dataverseMessage ?? '')) {
        const id = ctx.id ?? /Id = ([0-9a-f-]{36})/i.exec(info.dataverseMessage ?? '')?.[1];
        text =
          `No ${tableName ?? ''} record${id ? ` with id ${id}` : ''} exists, or you cannot see it. `.replace('No  record', 'No record') +
          'Check the id, for example with list_records.';
      } else {
        text = `Dataverse answered 404 Not Found${dvMessage ? `: ${dvMessage}` : ''}.`;
      }
      break;
    }
    case 'invalid_field': {
      kind = 'invalid_input';
      const msg = info.dataverseMessage ?? '';
      const field =
        /property named '([^']+)'/i.exec(msg)?.[1] ??
        /Invalid property '([^']+)'/i.exec(msg)?.[1] ??
        /undeclared property '([^']+)'/i.exec(msg)?.[1];
      const on = tableName ? ` on table ${tableName}` : '';
      const schema = `call get_table_schema${tableName ? ` with table "${tableName}"` : ''} to see the exact field names (lowercase logical names)`;
      text = /undeclared property/i.test(msg)
        ? `"${field ?? '?'}" is not a valid navigation property for @odata.bind${on}; ${schema} and use the exact "<navigation>@odata.bind" name it lists for the lookup.`
        : `Field "${field ?? '?'}" does not exist${on}; ${schema}.`;
      break;
    }
    case 'bad_filter':
      kind = 'invalid_input';
      text = `Dataverse could not apply the filter: ${(dvMessage ?? 'syntax error').replace(/\.$/, '')}. ${typeMismatchFix(info.dataverseMessage) ?? FILTER_EXAMPLE}`;
      break;
    case 'bad_request':
      kind = 'invalid_input';
      text = `Dataverse rejected the request (HTTP ${info.status ?? 400})${dvMessage ? `: ${dvMessage}` : ''}. Check the values against get_table_schema.`;
      break;
    case 'conflict':
      kind = 'conflict';
      text =
        info.code === '0x80040333'
          ? 'A record was not created or updated because a duplicate already exists (duplicate detection is on). Look for the existing record with list_records.'
          : `Dataverse reported a conflict${dvMessage ? `: ${dvMessage}` : ''}.`;
      break;
    case 'precondition_failed':
      kind = 'conflict';
      text =
        'The record was changed by someone else since it was read (version mismatch), so nothing was changed. ' +
        'Read it again with get_record and retry if the change still makes sense.';
      break;
    case 'throttled':
      kind = 'throttled';
      text =
        `Dataverse is throttling requests (service protection limits); try again in ${info.retryAfterSeconds ?? 30} s.` +
        (write ? ' The change was not applied.' : '');
      break;
    case 'unavailable':
      kind = 'unavailable';
      text = `Dataverse is temporarily unavailable (HTTP ${info.status ?? 503}); try again in a minute.${mayHaveApplied}`;
      break;
    case 'timeout':
      kind = 'unavailable';
      text = `Dataverse did not answer within ${Math.round((info.timeoutMs ?? 30000) / 1000)} s.${mayHaveApplied || ' Try again, or narrow the request (fewer fields, a smaller top).'}`;
      break;
    case 'network':
      kind = 'unavailable';
      text = `Could not reach Dataverse (${info.networkCode ?? 'network error'}); check the connection and DATAVERSE_URL, then try again.${mayHaveApplied}`;
      break;
    case 'bad_response':
      kind = 'unavailable';
      text = badResponseText(info);
      break;
    default:
      return assertUnreachable(error.kind);
  }
  const toolError = new ToolError(kind, text, {
    dataverseKind: error.kind,
    status: info.status,
    code: info.code,
    requestId: info.requestId,
  });
  (toolError as { cause?: unknown }).cause = error;
  return toolError;
}

const RESPONSE_PROBLEMS: Record<ResponseProblem, (info: DataverseErrorInfo) => string> = {
  too_large: (info) => `it was larger than ${Math.round((info.limitBytes ?? 0) / (1024 * 1024))} MB, the most this server reads`,
  undecodable: () => 'its content encoding could not be decoded',
  not_json: () => 'it was not JSON (a proxy or sign-in page may be answering instead of Dataverse)',
  bad_json: () => 'its JSON was incomplete or invalid',
  bad_shape: (info) => `it did not have the documented shape${info.detail ? ` (${info.detail})` : ''}`,
};

/**
 * A response that could not be used. A read changed nothing and says how to ask for less when it was too big;
 * a write whose reply was unreadable may well have been applied (the status was success, or unknown), so it
 * says so and how to check, never "try again".
 */
function badResponseText(info: DataverseErrorInfo): string {
  const problem = info.responseProblem ?? 'bad_shape';
  const why = RESPONSE_PROBLEMS[problem](info);
  const answered = info.status ? ` (HTTP ${info.status})` : '';
  switch (info.method) {
    case 'GET':
      return problem === 'too_large'
        ? `Dataverse's answer was not read: ${why}. Ask for less: a smaller top, fewer fields in select, or a narrower filter.`
        : `Dataverse's answer${answered} could not be read: ${why}. Nothing was changed; try again in a moment, and if it keeps happening check DATAVERSE_URL and the server log.`;
    case 'POST':
      return `Dataverse's reply to the create${answered} could not be read: ${why}. The outcome is unknown: the record may have been created. Check with list_records before retrying.`;
    case 'PATCH':
      return `Dataverse's reply to the update${answered} could not be read: ${why}. The outcome is unknown: the change may have been applied. Check with get_record before retrying.`;
    default:
      return `Dataverse's reply to the delete${answered} could not be read: ${why}. The outcome is unknown: the record may have been deleted. Check with get_record before retrying.`;
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unhandled Dataverse error kind: ${String(value)}`);
}

/** The Dataverse kind behind a ToolError thrown by the client (for callers that treat some kinds specially). */
export function dataverseKindOf(error: unknown): DataverseErrorKind | undefined {
  if (error instanceof ToolError) return error.details?.dataverseKind as DataverseErrorKind | undefined;
  if (error instanceof DataverseError) return error.kind;
  return undefined;
}
