import type * as http from 'node:http';
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { callContext } from '../../common/call-context';
import { clientLog } from '../../logging/client/client-log';
import { ToolError } from '../../common/tool-error';
import { SignedInAccount, TOKEN_PROVIDER, TokenProvider } from '../../auth/token-provider';
import { classifyHttpError, DataverseError, DataverseErrorInfo, DataverseErrorKind, ErrorContext, toToolError } from './dataverse-error';
import { buildQuery, QueryOptions, recordPath, validateGuid } from './odata';
import { RESPONSE_LIMITS, ResponseLimits } from './response/read-body';
import { AttemptTimeout, HttpExchange, RawResponse } from './http-exchange';
import { ExpectedShape, parseSuccessBody } from './response/response-shape';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What goes into the `Prefer` header. */
export interface PreferOptions {
  /** `odata.include-annotations`: `true` for "*", or a list of annotation names. */
  annotations?: true | string[];
  /** `odata.maxpagesize` (Dataverse ignores `$top` when this is sent). */
  maxPageSize?: number;
  returnRepresentation?: boolean;
}

export interface RequestOptions {
  /** Query options; keys fixed, values percent-encoded by `buildQuery`. */
  query?: QueryOptions;
  prefer?: PreferOptions;
  /** Per-attempt timeout (default `DataverseClientOptions.timeoutMs`). */
  timeoutMs?: number;
  /** Names the table/id in error messages. */
  context?: ErrorContext;
  /** What a GET's body must look like (always a JSON object; see ExpectedShape); anything else is a `bad_response`. */
  expect?: ExpectedShape;
  /** For optional reads (e.g. a table's default view): one attempt, no 5xx/network retry and no Retry-After wait. */
  singleAttempt?: boolean;
  /** Return a multipart/mixed answer as it is, whatever its status ($batch). */
  multipartAnswer?: boolean;
}

/** A request body sent as given (not JSON), with its content type. */
export class RawBody {
  constructor(
    readonly contentType: string,
    readonly data: Buffer,
  ) {}
}

export interface WriteOptions {
  returnRepresentation?: boolean;
  /** `If-Match`; PATCH defaults to `*` so an update never turns into an upsert. */
  ifMatch?: string;
  timeoutMs?: number;
  context?: ErrorContext;
  /** Primary id attribute, to read the id from a representation when `OData-EntityId` is absent. */
  idAttribute?: string;
}

export interface DataverseResponse<T> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
}

export interface WriteResult {
  id?: string;
  /** The record, when `returnRepresentation` was asked for. */
  record?: Record<string, unknown>;
  etag?: string;
}

/** Tunables; defaults suit production, tests shorten the waits. */
export interface DataverseClientOptions {
  timeoutMs: number;
  /** Attempts for a GET that meets 502/503/504 or a connection reset (first try included). */
  maxGetAttempts: number;
  /** Base of the jittered exponential backoff between GET retries. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Longest total time one call spends waiting out 429 Retry-After before giving up. */
  maxThrottleWaitMs: number;
  /** Retry-After when Dataverse sends none. */
  defaultRetryAfterSeconds: number;
  /** Most 429 retries of one call, so a storm of `Retry-After: 0` cannot spin without spending the wait budget. */
  maxThrottleRetries: number;
  maxSockets: number;
  /** Size limits of one response body (raw and after gzip). */
  responseLimits: ResponseLimits;
}

export const DATAVERSE_CLIENT_OPTIONS = Symbol('DATAVERSE_CLIENT_OPTIONS');

export const DEFAULT_CLIENT_OPTIONS: DataverseClientOptions = {
  timeoutMs: 30_000,
  maxGetAttempts: 3,
  backoffBaseMs: 250,
  backoffMaxMs: 4_000,
  maxThrottleWaitMs: 30_000,
  defaultRetryAfterSeconds: 5,
  maxThrottleRetries: 10,
  maxSockets: 64,
  responseLimits: RESPONSE_LIMITS,
};

const RETRIABLE_STATUS = new Set([502, 503, 504]);
const RETRIABLE_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * The only code that speaks HTTP to Dataverse, through keep-alive connection pools (http-exchange.ts); OData headers
 * on every call; a timeout on every attempt;
 * 429 waits out Retry-After within a bounded budget; GETs retry 502/503/504 and connection resets with
 * jittered exponential backoff; writes never retry except after a 429 (Dataverse did not execute those);
 * a 401 triggers one forced token refresh. Failures leave as ToolErrors mapped in `toToolError`.
 */
@Injectable()
export class DataverseClient implements OnModuleDestroy {
  private readonly logger = new Logger('Dataverse');
  private readonly options: DataverseClientOptions;
  private readonly http: HttpExchange;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TOKEN_PROVIDER) private readonly tokens: TokenProvider,
    @Optional() @Inject(DATAVERSE_CLIENT_OPTIONS) options?: Partial<DataverseClientOptions>,
  ) {
    this.options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
    this.http = new HttpExchange({ maxSockets: this.options.maxSockets, responseLimits: this.options.responseLimits });
  }

  async onModuleDestroy(): Promise<void> {
    await this.http.close();
  }

  /** `https://org.crm.dynamics.com/api/data/v9.2/` (read each time: the sandbox sets it after start-up). */
  get apiUrl(): string {
    const url = this.config.dataverseApiUrl;
    if (!url) throw new ToolError('configuration', 'DATAVERSE_URL is not configured.');
    return url;
  }

  /** Host of the environment, for cache keys and cursors (parsed once per API URL). */
  get envHost(): string {
    const url = this.apiUrl;
    if (this.hostOf?.url !== url) this.hostOf = { url, host: new URL(url).host.toLowerCase() };
    return this.hostOf.host;
  }

  private hostOf?: { url: string; host: string };

  /** The signed-in account for this call (also records its user key in the call context). */
  async currentAccount(): Promise<SignedInAccount> {
    // Within a tool call the account is resolved once (by the signed-in guard or the first service asking); every
    // Dataverse request still gets its token fresh.
    const known = callContext.current()?.account;
    if (known) return known;
    const resolved = await this.tokens.getToken(this.caller());
    this.noteUser(resolved.account);
    return resolved.account;
  }

  async get<T = Record<string, unknown>>(path: string, options: RequestOptions = {}): Promise<DataverseResponse<T>> {
    return this.send<T>('GET', path + buildQuery(options.query ?? {}), undefined, options);
  }

  /**
   * GET a path that already carries its query (a page link the records service validated).
   * `pathAndQuery` is relative to the API root.
   */
  async getRelative<T = Record<string, unknown>>(
    pathAndQuery: string,
    options: Omit<RequestOptions, 'query'> = {},
  ): Promise<DataverseResponse<T>> {
    return this.send<T>('GET', pathAndQuery, undefined, options);
  }

  /** POST a new record: the id comes from `OData-EntityId` or the representation. */
  async post(entitySetName: string, body: Record<string, unknown>, options: WriteOptions = {}): Promise<WriteResult> {
    const res = await this.send<Record<string, unknown> | undefined>('POST', entitySetName, body, {
      prefer: {
        returnRepresentation: options.returnRepresentation,
        annotations: options.returnRepresentation ? FORMATTED_ANNOTATIONS : undefined,
      },
      timeoutMs: options.timeoutMs,
      context: options.context,
    });
    return this.writeResult(res, options.idAttribute);
  }

  /** PATCH an existing record with `If-Match` (default `*`: never an accidental upsert). */
  async patch(entitySetName: string, id: string, body: Record<string, unknown>, options: WriteOptions = {}): Promise<WriteResult> {
    const res = await this.send<Record<string, unknown> | undefined>(
      'PATCH',
      recordPath(entitySetName, id),
      body,
      {
        prefer: {
          returnRepresentation: options.returnRepresentation,
          annotations: options.returnRepresentation ? FORMATTED_ANNOTATIONS : undefined,
        },
        timeoutMs: options.timeoutMs,
        context: { id, ...options.context },
      },
      options.ifMatch ?? '*',
    );
    const result = this.writeResult(res, options.idAttribute);
    return { ...result, id: result.id ?? validateGuid(id) };
  }

  /**
   * POST `$batch` with a multipart body (see batch/multipart.ts). The answer comes back as text whatever its
   * status when it is multipart: a failed change set is a 400 whose parts say which request failed.
   */
  async batch(
    boundary: string,
    body: string,
    options: { timeoutMs?: number; context?: ErrorContext } = {},
  ): Promise<DataverseResponse<string>> {
    return this.send<string>('POST', '$batch', new RawBody(`multipart/mixed; boundary="${boundary}"`, Buffer.from(body, 'utf8')), {
      timeoutMs: options.timeoutMs,
      context: options.context,
      multipartAnswer: true,
    });
  }

  /** `POST <record>/<nav>/$ref` (associate) or `DELETE <record>/<nav>(<id>)/$ref` (disassociate); `path` is relative to the API root. */
  async ref(
    method: 'POST' | 'DELETE',
    path: string,
    body?: Record<string, unknown>,
    options: { context?: ErrorContext } = {},
  ): Promise<void> {
    await this.send(method, path, body, { context: options.context });
  }

  /** DELETE a record; `ifMatch` (an etag) makes it fail with `precondition_failed` if the record changed. */
  async delete(entitySetName: string, id: string, options: Omit<WriteOptions, 'returnRepresentation' | 'idAttribute'> = {}): Promise<void> {
    await this.send(
      'DELETE',
      recordPath(entitySetName, id),
      undefined,
      { timeoutMs: options.timeoutMs, context: { id, ...options.context } },
      options.ifMatch,
    );
  }

  private writeResult(res: DataverseResponse<Record<string, unknown> | undefined>, idAttribute?: string): WriteResult {
    const entityId = headerValue(res.headers['odata-entityid']);
    const fromHeader = entityId ? /\(([0-9a-fA-F-]{36})\)\s*$/.exec(entityId)?.[1] : undefined;
    const record = res.body && typeof res.body === 'object' ? res.body : undefined;
    const fromBody = idAttribute && typeof record?.[idAttribute] === 'string' ? (record[idAttribute] as string) : undefined;
    const etag = typeof record?.['@odata.etag'] === 'string' ? (record['@odata.etag'] as string) : undefined;
    return { id: (fromHeader ?? fromBody)?.toLowerCase(), record, etag };
  }

  private caller() {
    const bearer = callContext.current()?.bearer;
    return bearer ? { bearer } : undefined;
  }

  private noteUser(account: SignedInAccount): void {
    const ctx = callContext.current();
    if (ctx && !ctx.userKey) ctx.userKey = account.userKey;
    if (ctx && !ctx.account) ctx.account = account;
  }

  private noteRequestIds(headers: http.IncomingHttpHeaders): string | undefined {
    const reqId = headerValue(headers['req_id']);
    const serviceId = headerValue(headers['x-ms-service-request-id']);
    const ctx = callContext.current();
    if (ctx) {
      for (const id of [reqId, serviceId]) if (id && !ctx.dataverseRequestIds.includes(id)) ctx.dataverseRequestIds.push(id);
    }
    return reqId ?? serviceId;
  }

  private async send<T>(
    method: HttpMethod,
    pathAndQuery: string,
    body: unknown,
    options: RequestOptions,
    ifMatch?: string,
  ): Promise<DataverseResponse<T>> {
    const url = new URL(pathAndQuery, this.apiUrl);
    const path = pathAndQuery.split('?')[0];
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const payload = body instanceof RawBody ? body.data : body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const hasFilter = url.search.includes('$filter=');

    const caller = this.caller();
    let resolved = await this.tokens.getToken(caller);
    this.noteUser(resolved.account);
    let refreshed = false;
    let attempt = 0;
    let throttleWaitedMs = 0;
    let throttleRetries = 0;

    for (;;) {
      attempt++;
      const headers: http.OutgoingHttpHeaders = {
        Authorization: `Bearer ${resolved.token}`,
        Accept: 'application/json',
        'Accept-Encoding': 'gzip',
        'OData-MaxVersion': '4.0',
        'OData-Version': '4.0',
      };
      const prefer = preferHeader(options.prefer);
      if (prefer) headers.Prefer = prefer;
      if (ifMatch) headers['If-Match'] = ifMatch;
      if (payload) {
        headers['Content-Type'] = body instanceof RawBody ? body.contentType : 'application/json; charset=utf-8';
        headers['Content-Length'] = payload.length;
      }

      const started = Date.now();
      let res: RawResponse;
      try {
        res = await this.exchange(url, method, headers, payload, timeoutMs);
      } catch (error) {
        if (error instanceof AttemptTimeout) {
          this.logger.warn({ method, path, timeoutMs }, 'Dataverse request timed out');
          throw failure(method, path, options.context, 'timeout', { timeoutMs });
        }
        const code = (error as NodeJS.ErrnoException).code ?? 'network error';
        if (method === 'GET' && !options.singleAttempt && RETRIABLE_NETWORK.has(code) && attempt < this.options.maxGetAttempts) {
          this.logger.warn({ method, path, code, attempt }, 'Dataverse connection failed; retrying');
          await sleep(this.backoff(attempt));
          continue;
        }
        throw failure(method, path, options.context, 'network', { networkCode: code });
      }

      const requestId = this.noteRequestIds(res.headers);
      this.logger.debug({ method, path, status: res.status, ms: Date.now() - started, requestId }, 'Dataverse call');

      if (options.multipartAnswer && !res.problem && res.status < 500 && res.status !== 401 && res.status !== 429) {
        if ((headerValue(res.headers['content-type']) ?? '').startsWith('multipart/')) {
          return { status: res.status, headers: res.headers, body: res.text as T };
        }
      }
      if (res.status >= 200 && res.status < 300) {
        if (res.problem) {
          this.logger.warn({ method, path, status: res.status, problem: res.problem, requestId }, 'Dataverse response not readable');
          throw failure(method, path, options.context, 'bad_response', {
            status: res.status,
            responseProblem: res.problem,
            limitBytes: res.limitBytes,
            requestId,
          });
        }
        const parsed = parseSuccessBody(
          res.text,
          headerValue(res.headers['content-type']),
          method === 'GET' ? (options.expect ?? {}) : undefined,
        );
        if (!parsed.ok) {
          this.logger.warn({ method, path, status: res.status, problem: parsed.problem, requestId }, 'Dataverse response not usable');
          throw failure(method, path, options.context, 'bad_response', {
            status: res.status,
            responseProblem: parsed.problem,
            detail: parsed.detail,
            requestId,
          });
        }
        return { status: res.status, headers: res.headers, body: parsed.body as T };
      }

      const err = parseError(res.text);
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        resolved = await this.tokens.getToken(caller, { forceRefresh: true });
        this.noteUser(resolved.account);
        continue;
      }
      if (res.status === 429) {
        const waitS = retryAfterSeconds(res.headers['retry-after'], this.options.defaultRetryAfterSeconds);
        throttleRetries++;
        if (
          !options.singleAttempt &&
          throttleRetries <= this.options.maxThrottleRetries &&
          throttleWaitedMs + waitS * 1000 <= this.options.maxThrottleWaitMs
        ) {
          this.logger.warn({ method, path, retryAfterSeconds: waitS, requestId }, 'Dataverse throttled the request; waiting Retry-After');
          clientLog.warn(`Dataverse is throttling requests (service protection limits): waiting ${waitS} s before retrying.`, 'call');
          throttleWaitedMs += waitS * 1000;
          // Retrying after a 429 is safe for writes too: Dataverse did not execute the request.
          // Retry-After: 0 still backs off a little, so a storm of them does not become a tight loop.
          await sleep(waitS > 0 ? waitS * 1000 : this.backoff(throttleRetries));
          attempt--; // throttling does not use up the retry attempts for 5xx
          continue;
        }
        throw failure(method, path, options.context, 'throttled', {
          status: 429,
          code: err.code,
          dataverseMessage: err.message,
          requestId,
          retryAfterSeconds: waitS,
        });
      }
      if (method === 'GET' && !options.singleAttempt && RETRIABLE_STATUS.has(res.status) && attempt < this.options.maxGetAttempts) {
        this.logger.warn({ method, path, status: res.status, attempt, requestId }, 'Dataverse unavailable; retrying');
        await sleep(this.backoff(attempt));
        continue;
      }
      const kind = classifyHttpError(res.status, err.code, err.message, hasFilter);
      if (res.status >= 500 || kind === 'unauthorized') {
        this.logger.warn({ method, path, status: res.status, code: err.code, requestId }, 'Dataverse request failed');
      }
      throw failure(method, path, options.context, kind, { status: res.status, code: err.code, dataverseMessage: err.message, requestId });
    }
  }

  /** Full jitter: a random wait in [0, min(max, base * 2^(attempt-1))]. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + (Math.random() * cap) / 2);
  }

  private exchange(url: URL, method: HttpMethod, headers: http.OutgoingHttpHeaders, payload: Buffer | undefined, timeoutMs: number) {
    return this.http.send(url, method, headers, payload, timeoutMs);
  }
}

/** Formatted values and lookup names: all the record formatter uses. */
export const FORMATTED_ANNOTATIONS = ['OData.Community.Display.V1.FormattedValue', 'Microsoft.Dynamics.CRM.lookuplogicalname'];

function preferHeader(prefer: PreferOptions | undefined): string | undefined {
  if (!prefer) return undefined;
  const parts: string[] = [];
  if (prefer.returnRepresentation) parts.push('return=representation');
  if (prefer.annotations) parts.push(`odata.include-annotations="${prefer.annotations === true ? '*' : prefer.annotations.join(',')}"`);
  if (prefer.maxPageSize) parts.push(`odata.maxpagesize=${prefer.maxPageSize}`);
  return parts.length ? parts.join(',') : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseError(text: string): { code?: string; message?: string } {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return { code: parsed.error?.code || undefined, message: parsed.error?.message };
  } catch {
    return { message: text.slice(0, 500) };
  }
}

/** `Retry-After` in seconds or as an HTTP date. */
export function retryAfterSeconds(value: string | string[] | undefined, fallback: number): number {
  const raw = headerValue(value)?.trim();
  if (!raw) return fallback;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.max(0, Math.ceil(Number(raw)));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? fallback : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A failed request as the ToolError a tool answers with. */
function failure(
  method: string,
  path: string,
  context: ErrorContext | undefined,
  kind: DataverseErrorKind,
  info: Partial<DataverseErrorInfo>,
): ToolError {
  return toToolError(new DataverseError(kind, { method, path, ...info }), context);
}
