import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Agent, Dispatcher } from 'undici';
import { BodyOutcome, BodyProblem, BodySink, readBody, ResponseLimits } from './response/read-body';

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
      let controller: Dispatcher.DispatchController | undefined;
      let settled = false;
      let status = 0;
      let responseHeaders: IncomingHttpHeaders = {};
      let sink: BodySink | undefined;
      const settle = (then: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        then();
      };
      const timer = setTimeout(() => {
        const timeout = new AttemptTimeout();
        settle(() => reject(timeout));
        controller?.abort(timeout);
      }, timeoutMs);
      const outcome: BodyOutcome = {
        done: (body) => settle(() => resolve({ status, headers: responseHeaders, ...body })),
        failed: (error) => settle(() => reject(asNodeError(error))),
        abandon: () => controller?.abort(new Error('response abandoned')),
      };
      const limits = this.options.responseLimits;
      try {
        this.dispatcher().dispatch(
          {
            origin: url.origin,
            path: url.pathname + url.search,
            method: method as Dispatcher.HttpMethod,
            headers: plain(headers),
            body: payload ?? null,
          },
          {
            onRequestStart(c) {
              controller = c;
              // Timed out while waiting for a connection: never sent.
              if (settled) c.abort(new AttemptTimeout());
            },
            onResponseStart(_c, statusCode, received) {
              if (statusCode < 200) return; // 1xx: the answer follows
              status = statusCode;
              responseHeaders = received as IncomingHttpHeaders;
              sink = readBody(responseHeaders, limits, outcome);
            },
            onResponseData(_c, chunk) {
              sink?.data(chunk);
            },
            onResponseEnd() {
              if (sink) sink.end();
              else outcome.failed(new Error('the connection ended without an answer'));
            },
            onResponseError(_c, error) {
              if (sink) sink.error(error);
              else outcome.failed(error);
            },
          },
        );
      } catch (error) {
        outcome.failed(error);
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
