import { portInUseMessage } from './cli';

describe('portInUseMessage', () => {
  const config = { mcpPort: 8199, authRedirectPort: 5577 };

  it('should name MCP_PORT when the MCP port is taken', () => {
    expect(portInUseMessage({ code: 'EADDRINUSE', port: 8199 }, config)).toMatch(
      /^port 8199 is already in use.*set MCP_PORT to a free port/,
    );
  });

  it('should name AUTH_REDIRECT_PORT when the sign-in redirect port is taken', () => {
    expect(portInUseMessage({ code: 'EADDRINUSE', port: 5577 }, config)).toMatch(/^port 5577 .*set AUTH_REDIRECT_PORT to a free port/);
  });

  it('should leave other errors alone', () => {
    expect(portInUseMessage(new Error('boom'), config)).toBeUndefined();
    expect(portInUseMessage({ code: 'EACCES', port: 80 }, config)).toBeUndefined();
  });
});
