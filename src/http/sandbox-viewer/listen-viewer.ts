import type { Server } from 'node:http';
import express, { RequestHandler } from 'express';
import { isLoopbackHost } from '../../config';
import { createOriginGuard } from '../origin.middleware';

export interface ViewerListener {
  /** e.g. `http://127.0.0.1:40311` (the pages are under /sandbox/). */
  url: string;
  close(): Promise<void>;
}

/**
 * The sandbox record viewer when no HTTP transport runs (stdio, as Claude Desktop starts the sandbox): its own
 * listener on MCP_HOST, on a port of its own, because every conversation's process has its own emulator and so its
 * own records. Same Origin/Host rules as the MCP port.
 */
export async function listenSandboxViewer(
  viewer: RequestHandler,
  options: { host: string; allowedOrigins: string[] },
): Promise<ViewerListener> {
  const app = express();
  app.disable('x-powered-by');
  app.use(createOriginGuard({ allowedOrigins: options.allowedOrigins, loopbackOnly: isLoopbackHost(options.host) }));
  app.use('/sandbox', viewer);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, options.host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
