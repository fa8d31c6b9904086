import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Agent, Dispatcher } from 'undici';
import { BodyOutcome, BodyProblem, BodySink, ReadBody, readBody, ResponseLimits } from './response/read-body';

/** One attempt took longer than its timeout (the request was aborted). */
export class AttemptTimeout extends Error {}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Set when the body was abandoned (too large, undecodable); `text` is then empty. */
  problem?: BodyProblem;
  limitBytes?: number;
}

export interface ExchangeOptions {
  /** Connections kept per origin. */
  maxSockets: number;
  responseLimits: ResponseLimits;
}

/**
 * One HTTP request and its whole answer, over undici's keep-alive connection pools: per request it does a fraction
 * of node:http's work (no ClientRequest/IncomingMessage streams). The whole attempt runs under one timer; the body
 * is read with its size limits and gzip (read-body.ts), and a body abandoned at a limit stops the response.
 * A dropped connection is reported with node's own code (ECONNRESET), as the retry rules expect.
 */
export class HttpExchange {
  private agent?: Agent;

  constructor(private readonly options: ExchangeOptions) {}

  send(url: URL, method: string, headers: OutgoingHttpHeaders, payload: Buffer | undefined, timeoutMs: number): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const attempt = new Attempt(resolve, reject, this.options.responseLimits, timeoutMs);
      try {
        this.dispatcher().dispatch(
          {
            origin: url.origin,
            path: url.pathname + url.search,
            method: method as Dispatcher.HttpMethod,
            headers: plain(headers),
            body: payload ?? null,
          },
          attempt,
        );
      } catch (error) {
        attempt.failed(error);
      }
    });
  }

  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await agent?.destroy();
  }

  /**
   * Loaded on the first request: a stdio start that lists tools never needs it. Only undici's dispatcher is loaded
   * (its `Agent` module), not the package's index, which also loads fetch, WebSocket, EventSource and the cache
   * stores: about 9 MB of memory less.
   */
  private dispatcher(): Agent {
    if (!this.agent) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Agent = require('undici/lib/dispatcher/agent.js') as typeof import('undici').Agent;
      // One timer per attempt is the caller's; undici's own header and body timeouts are off.
      this.agent = new Agent({ connections: this.options.maxSockets, keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0 });
    }
    return this.agent;
  }
}

/**
 * One request under way: undici's handler for it and its body's outcome, as one object (no closures per request).
 * It settles once: with the answer, a failure, or its timeout (which also stops the request).
 */
class Attempt implements Dispatcher.DispatchHandler, BodyOutcome {
  private controller?: Dispatcher.DispatchController;
  private settled = false;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private sink?: BodySink;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (response: RawResponse) => void,
    private readonly reject: (error: unknown) => void,
    private readonly limits: ResponseLimits,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.timedOut(), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Timed out while waiting for a connection: never sent.
    if (this.settled) controller.abort(new AttemptTimeout());
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>): void {
    if (statusCode < 200) return; // 1xx: the answer follows
    this.status = statusCode;
    this.headers = headers as IncomingHttpHeaders;
    this.sink = readBody(this.headers, this.limits, this);
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.sink?.data(chunk);
  }

  onResponseEnd(): void {
    if (this.sink) this.sink.end();
    else this.failed(new Error('the connection ended without an answer'));
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    if (this.sink) this.sink.error(error);
    else this.failed(error);
  }

  done(body: ReadBody): void {
    if (this.settle()) this.resolve({ status: this.status, headers: this.headers, ...body });
  }

  failed(error: unknown): void {
    if (this.settle()) this.reject(asNodeError(error));
  }

  abandon(): void {
    this.controller?.abort(new Error('response abandoned'));
  }

  private timedOut(): void {
    const timeout = new AttemptTimeout();
    if (this.settle()) this.reject(timeout);
    this.controller?.abort(timeout);
  }

  /** True the first time (the timer is then cleared), false after. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    return true;
  }
}

/** Header values as strings; Content-Length is undici's to write (it knows the body). */
function plain(headers: OutgoingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || key.toLowerCase() === 'content-length') continue;
    out[key] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}

/** undici names a dropped or closed connection its own way; the retry rules and messages use node's codes. */
function asNodeError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const nodeCode =
    code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED' ? 'ECONNRESET' : code === 'UND_ERR_CONNECT_TIMEOUT' ? 'ETIMEDOUT' : undefined;
  if (!nodeCode) return error;
  return Object.assign(new Error((error as Error).message), { code: nodeCode, cause: error });
}
