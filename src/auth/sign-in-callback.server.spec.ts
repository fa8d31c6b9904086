import type { LoggerService } from '@nestjs/common';
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
