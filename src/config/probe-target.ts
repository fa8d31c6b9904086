import { isLoopbackHost } from './environment';

/**
 * Where the health probe should knock, from MCP_TRANSPORT / MCP_HOST / MCP_PORT (or --transport),
 * without validating the rest of the configuration. Undefined in stdio mode.
 */
export function httpProbeTarget(argv: string[], env: NodeJS.ProcessEnv = process.env): { host: string; port: number } | undefined {
  const flag = argv.findIndex((a) => a === '--transport' || a.startsWith('--transport='));
  const transport = flag === -1 ? env.MCP_TRANSPORT : argv[flag].includes('=') ? argv[flag].split('=')[1] : argv[flag + 1];
  if (!/sse|http/i.test(transport ?? '')) return undefined;
  const host = env.MCP_HOST && env.MCP_HOST !== '0.0.0.0' && env.MCP_HOST !== '::' ? env.MCP_HOST : '127.0.0.1';
  return { host: isLoopbackHost(host) ? '127.0.0.1' : host, port: Number(env.MCP_PORT || 8199) };
}
