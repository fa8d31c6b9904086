import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { ToolError } from '../common/tool-error';

/** What the browser sees after the identity provider redirected to us. */
export interface CallbackPage {
  status: number;
  title: string;
  message: string;
  /** Close the listener once this page has been sent (the sign-in is over). */
  close?: boolean;
}

export type CallbackHandler = (params: URLSearchParams) => Promise<CallbackPage>;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage(title: string, message: string): string {
  const t = escapeHtml(title);
  const m = escapeHtml(message);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${t}</title>` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>' +
    `</head><body><h1>${t}</h1><p>${m}</p></body></html>`
  );
}

/** Both loopback addresses: a browser may resolve `localhost` to either, so neither is left for another program. */
const LOOPBACK = ['127.0.0.1', '::1'];
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
/** This machine has no such address family (IPv6 off): nobody can listen there, so there is nothing to guard. */
const NO_ADDRESS = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);

/**
 * The sign-in redirect receiver: plain `node:http`, because in stdio mode there is no HTTP app.
 * It listens only while a sign-in is pending and serves only the callback path `/`. On a loopback host it
 * listens on 127.0.0.1 and [::1] alike (the redirect URI says `localhost`, which browsers resolve to
 * either), and refuses to start when another program holds the port on one of them.
 * It never logs the query string: it carries the authorization code.
 */
export class SignInCallbackServer {
  private servers: Server[] = [];
  private closing?: Promise<void>;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly logger: LoggerService,
  ) {}

  get listening(): boolean {
    return this.servers.length > 0 && this.servers.every((s) => s.listening);
  }

  /** The addresses it listens on now, e.g. `['127.0.0.1', '::1']`. */
  get addresses(): string[] {
    return this.servers.map((s) => (s.address() as AddressInfo).address);
  }

  /** Starts listening; resolves the bound port. Port in use → ToolError naming AUTH_REDIRECT_PORT. */
  async listen(handler: CallbackHandler): Promise<number> {
    const hosts = LOOPBACK_NAMES.has(this.host.toLowerCase()) ? LOOPBACK : [this.host];
    // With port 0 (tests) the system picks a port on the first address; if it is taken on the other, pick again.
    for (let attempt = 0; ; attempt++) {
      const started: Server[] = [];
      try {
        let port = this.port;
        for (const [i, host] of hosts.entries()) {
          const server = await this.bind(host, port, handler).catch((err: NodeJS.ErrnoException) => {
            if (i > 0 && NO_ADDRESS.has(err.code ?? '')) return undefined;
            throw Object.assign(err, { host });
          });
          if (!server) continue;
          started.push(server);
          port = (server.address() as AddressInfo).port;
        }
        this.servers = started;
        return port;
      } catch (err) {
        await Promise.all(started.map((s) => new Promise((resolve) => s.close(resolve))));
        const e = err as NodeJS.ErrnoException & { host: string };
        if (this.port === 0 && e.code === 'EADDRINUSE' && attempt < 5) continue;
        throw this.listenError(e, e.host);
      }
    }
  }

  private async bind(host: string, port: number, handler: CallbackHandler): Promise<Server> {
    const server = createServer((req, res) => void this.handle(req, res, handler));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, ipv6Only: host === '::1' }, () => resolve());
    });
    server.on('error', (err) => this.logger.warn?.(`Sign-in redirect listener error: ${err.message}`));
    return server;
  }

  close(): Promise<void> {
    const servers = this.servers;
    if (servers.length === 0) return this.closing ?? Promise.resolve();
    this.servers = [];
    this.closing = Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      ),
    ).then(() => undefined);
    return this.closing;
  }

  private listenError(err: NodeJS.ErrnoException, host = this.host): ToolError {
    const shown = host.includes(':') ? `[${host}]` : host;
    const where = `${shown}:${this.port}`;
    if (err.code === 'EADDRINUSE') {
      return new ToolError(
        'configuration',
        `The sign-in redirect port ${this.port} is already in use on ${shown}, so the sign-in cannot be received. ` +
          `Tell the user to stop the program using port ${this.port} or set AUTH_REDIRECT_PORT to a free port ` +
          `(and restart the server), then call sign_in again.`,
        { port: this.port, host },
      );
    }
    if (err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
      return new ToolError(
        'configuration',
        `The server cannot listen for the sign-in redirect on ${where} (${err.code}). ` +
          `Set AUTH_REDIRECT_HOST / AUTH_REDIRECT_PORT to an address this machine can bind (e.g. 127.0.0.1 and a port above 1024), restart, then call sign_in again.`,
        { port: this.port, host },
      );
    }
    return new ToolError(
      'unavailable',
      `The sign-in redirect listener on ${where} could not start (${err.code ?? 'error'}). Try sign_in again.`,
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse, handler: CallbackHandler): Promise<void> {
    let page: CallbackPage;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/') {
      page = { status: 404, title: 'Not found', message: 'This address only receives the Dataverse sign-in redirect.' };
    } else if (req.method !== 'GET') {
      // Only the browser's GET may redeem the code (a HEAD prefetch must not use it up).
      page = { status: 405, title: 'Method not allowed', message: 'The sign-in redirect is a GET request.' };
    } else {
      try {
        page = await handler(url.searchParams);
      } catch (err) {
        this.logger.error?.(`Sign-in callback failed: ${(err as Error).name}`);
        page = {
          status: 500,
          title: 'Sign-in failed',
          message: 'Something went wrong. Go back to your assistant and ask it to sign in again.',
          close: true,
        };
      }
    }
    this.logger.debug?.(`Sign-in redirect ${req.method} ${url.pathname} -> ${page.status}`);
    const body = renderPage(page.title, page.message);
    res.writeHead(page.status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      'X-Content-Type-Options': 'nosniff',
      Connection: 'close',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    if (page.close) res.once('finish', () => void this.close());
  }
}
