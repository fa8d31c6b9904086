import { canonicalPath, isPublicRoute, PUBLIC_ROUTES, sessionIdOf } from './route-access';

describe('route access at the HTTP edge', () => {
  it.each([
    ['/mcp', '/mcp'],
    ['/MCP', '/mcp'],
    ['/Mcp/', '/mcp'],
    ['//mcp', '/mcp'],
    ['/mcp;x', '/mcp'],
    ['/mcp;x=1/', '/mcp'],
    ['/%6Dcp', '/mcp'],
    ['/%256Dcp', '/mcp'],
    ['/./mcp', '/mcp'],
    ['/x/../mcp', '/mcp'],
    ['/../../mcp', '/mcp'],
    ['\\mcp', '/mcp'],
    ['/SSE', '/sse'],
    ['/%73se/', '/sse'],
    ['///Messages//', '/messages'],
    ['/messages;jsessionid=1', '/messages'],
    ['/%6D%65ssages', '/messages'],
    ['/%E0%A4%A', '/%e0%a4%a'],
    ['/', '/'],
    ['', '/'],
  ])('should read %s as %s', (raw, canonical) => {
    expect(canonicalPath(raw)).toBe(canonical);
  });

  it('should let only GET and HEAD of the exact public paths through', () => {
    for (const path of PUBLIC_ROUTES) {
      expect(isPublicRoute({ method: 'GET', path })).toBe(true);
      expect(isPublicRoute({ method: 'HEAD', path })).toBe(true);
      expect(isPublicRoute({ method: 'POST', path })).toBe(false);
    }
    for (const path of ['/Healthz', '/healthz/', '//healthz', '/healthz;x', '/%68ealthz', '/mcp', '/sse', '/messages', '/', '/anything']) {
      expect(isPublicRoute({ method: 'GET', path })).toBe(false);
    }
  });

  it('should name the session of a request only when it names exactly one', () => {
    expect(sessionIdOf({ query: {} })).toBeUndefined();
    expect(sessionIdOf({ query: { sessionId: 'abc' } })).toBe('abc');
    expect(sessionIdOf({ query: { sessionId: ['a', 'b'] } })).toBe('');
    expect(sessionIdOf({ query: { sessionId: { x: 'a' } } })).toBe('');
  });
});
