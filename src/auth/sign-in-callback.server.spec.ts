import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { ToolError } from '../common/tool-error';
import { escapeHtml, renderPage, SignInCallbackServer } from './sign-in-callback.server';

const silent: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined, debug: () => undefined };

describe('SignInCallbackServer', () => {
  let server: SignInCallbackServer;
  let calls: URLSearchParams[];
  let port: number;

  beforeEach(async () => {
    calls = [];
    server = new SignInCallbackServer('127.0.0.1', 0, silent);
    port = await server.listen(async (params) => (calls.push(params), { status: 200, title: 'Done', message: 'ok', close: true }));
  });

  afterEach(() => server.close());

  it('should not hand the query to the flow when the request is not a GET', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/?code=abc&state=s`, { method: 'POST' });

    expect(res.status).toBe(405);
    expect(calls).toHaveLength(0);
  });

  it('should stop listening after a page that ends the sign-in when it was sent', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/?code=abc&state=s`);
    await res.text();

    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    expect(server.listening).toBe(false);
  });

  it('should escape markup when text is echoed into a page', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;');
    expect(renderPage('<t>', '<m>')).not.toMatch(/<t>|<m>/);
  });
});

describe('SignInCallbackServer on a loopback host', () => {
  const servers: SignInCallbackServer[] = [];
  const squatters: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(squatters.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const handler = async () => ({ status: 200, title: 'Done', message: 'ok' });
  const squat = (host: string, port: number) =>
    new Promise<Server>((resolve, reject) => {
      const s = createServer((_req, res) => res.end('someone else'));
      s.once('error', reject);
      s.listen({ host, port, ipv6Only: host === '::1' }, () => (squatters.push(s), resolve(s)));
    });

  it.each(['127.0.0.1', 'localhost', '::1'])(
    'should receive the redirect on both 127.0.0.1 and [::1] when the host is %s',
    async (host) => {
      const server = new SignInCallbackServer(host, 0, silent);
      servers.push(server);
      const port = await server.listen(handler);

      expect(server.addresses.sort()).toEqual(['127.0.0.1', '::1']);
      expect((await fetch(`http://127.0.0.1:${port}/?code=a&state=s`)).status).toBe(200);
      expect((await fetch(`http://[::1]:${port}/?code=a&state=s`)).status).toBe(200);
    },
  );

  it('should refuse to start, naming the port and [::1], when another program holds the port on [::1]', async () => {
    const probe = await squat('::1', 0);
    const port = (probe.address() as AddressInfo).port;
    const server = new SignInCallbackServer('127.0.0.1', port, silent);
    servers.push(server);

    const error = await server.listen(handler).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toContain(`port ${port} is already in use on [::1]`);
    expect((error as ToolError).message).toContain('AUTH_REDIRECT_PORT');
    expect(server.listening).toBe(false);
    // Nothing was left listening on 127.0.0.1 either.
    await expect(squat('127.0.0.1', port)).resolves.toBeDefined();
  });

  it('should listen only on the given host when it is not a loopback name', async () => {
    const server = new SignInCallbackServer('0.0.0.0', 0, silent);
    servers.push(server);
    await server.listen(handler);

    expect(server.addresses).toEqual(['0.0.0.0']);
  });
});
