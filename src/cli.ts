/** The server process: configuration, optional sandbox, the Nest application, clean shutdown. */
import 'reflect-metadata';
import type { Logger as PinoLogger } from 'pino';
import { AppConfig, ConfigError, loadConfig, parseArgs, USAGE } from './config';
import { createRootLogger } from './logging/logger';
import { packageVersion, RunningServer, startServer } from './server';
import { tuneHeapForService } from './launcher/heap-tuning';
import { setSandboxViewerBase } from './common/sandbox-record-url';
import { TableScope } from './dataverse/scope/table-scope';
import type { RequestHandler } from 'express';

const SHUTDOWN_DEADLINE_MS = 5000;

export async function main(): Promise<void> {
  let config: AppConfig;
  try {
    const cli = parseArgs(process.argv.slice(2));
    if (cli.help || cli.version) {
      // Written to stderr: stdout belongs to the MCP protocol.
      process.stderr.write(`${cli.help ? USAGE : `dataverse-mcp ${packageVersion()}`}\n`);
      return;
    }
    config = loadConfig(undefined, cli);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`dataverse-mcp: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const logger = createRootLogger(config.logLevel);
  tuneHeapForService(config.transports);
  const sandbox = config.sandbox ? await startSandbox(config, logger) : undefined;
  let viewerListener: { url: string; close(): Promise<void> } | undefined;
  const stopSandbox = sandbox && (() => Promise.resolve(viewerListener?.close()).then(sandbox.stop));
  let server: RunningServer;
  try {
    server = await startServer(config, logger, sandbox ? { sandboxViewer: sandbox.viewer } : {});
  } catch (error) {
    const taken = portInUseMessage(error, config);
    // A taken port is an everyday mistake: one line that says what to change, no stack trace.
    if (taken) process.stderr.write(`dataverse-mcp: ${taken}\n`);
    else logger.fatal({ err: error }, 'server failed to start');
    await stopSandbox?.();
    process.exit(1);
  }
  if (sandbox) {
    // Without an HTTP transport the record viewer gets a listener of its own (each stdio process has its own records).
    if (!server.httpUrl) viewerListener = await listenViewer(config, sandbox.viewer, logger);
    setSandboxViewerBase(server.httpUrl ?? viewerListener?.url);
    printSandboxHelp(config, server.httpUrl);
  }
  logger.info(
    { transports: config.transports, http: server.httpUrl, authMode: config.authMode, sandbox: config.sandbox },
    'dataverse-mcp ready',
  );

  let closing = false;
  const shutdown = (reason: string) => {
    if (closing) return;
    closing = true;
    logger.info({ reason }, 'shutting down');
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    server
      .close()
      .then(() => stopSandbox?.())
      .then(
        () => process.exit(0),
        (error) => {
          logger.error({ err: error }, 'error during shutdown');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (config.transports.includes('stdio')) {
    // The client closed our stdin: it is gone, and so are we.
    process.stdin.once('end', () => shutdown('stdin closed'));
    process.stdin.once('close', () => shutdown('stdin closed'));
  }
}

async function listenViewer(config: AppConfig, viewer: RequestHandler, logger: PinoLogger) {
  const { listenSandboxViewer } = await import('./http/sandbox-viewer/listen-viewer');
  try {
    const listener = await listenSandboxViewer(viewer, { host: config.mcpHost, allowedOrigins: config.allowedOrigins });
    logger.info({ url: `${listener.url}/sandbox/` }, 'sandbox record viewer listening');
    return listener;
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : error }, 'the sandbox record viewer could not start');
    return undefined;
  }
}

const QUIET_EMULATOR_LINES = new Set(['emulator listening', 'emulator data loaded']);

/** `EADDRINUSE` on one of the server's own ports, in one line naming the variable that moves it. */
export function portInUseMessage(error: unknown, config: Pick<AppConfig, 'mcpPort' | 'authRedirectPort'>): string | undefined {
  const e = error as { code?: unknown; port?: unknown };
  if (!e || e.code !== 'EADDRINUSE') return undefined;
  const port = typeof e.port === 'number' ? e.port : config.mcpPort;
  const variable = port === config.authRedirectPort && port !== config.mcpPort ? 'AUTH_REDIRECT_PORT' : 'MCP_PORT';
  return (
    `port ${port} is already in use (another dataverse-mcp or another program?). ` +
    `Stop it, or set ${variable} to a free port (the MCP port is MCP_PORT, the sign-in redirect AUTH_REDIRECT_PORT).`
  );
}

/** Starts the embedded Dataverse emulator and points the configuration at it. */
async function startSandbox(config: AppConfig, logger: PinoLogger): Promise<{ stop: () => Promise<void>; viewer: RequestHandler }> {
  const { startEmulator, createSandboxViewer } = await import('./sandbox');
  const log = logger.child({ context: 'sandbox' });
  const emulator = await startEmulator({
    dataFile: config.sandboxDataFile,
    searchDisabled: config.sandboxSearchDisabled,
    // Its start-up lines are in the banner; failures stay at info.
    log: (msg, fields) => (QUIET_EMULATOR_LINES.has(msg) ? log.debug(fields ?? {}, msg) : log.info(fields ?? {}, msg)),
  });
  config.dataverseUrl = emulator.url;
  config.dataverseApiUrl = emulator.apiUrl;
  return { stop: () => emulator.close(), viewer: createSandboxViewer(emulator) as RequestHandler };
}

function printSandboxHelp(config: AppConfig, httpUrl?: string): void {
  const lines = ['', 'Sandbox is running: an emulated Dataverse with sample data, signed in through sign_in as "Sandbox User".'];
  if (httpUrl && config.transports.includes('sse'))
    lines.push(`  Claude Code (SSE):  claude mcp add --transport sse dataverse-sandbox ${httpUrl}/sse`);
  if (httpUrl && config.transports.includes('http'))
    lines.push(`  Claude Code (HTTP): claude mcp add --transport http dataverse-sandbox ${httpUrl}/mcp`);
  if (httpUrl) lines.push(`  Records (read-only, in your browser): ${httpUrl}/sandbox/`);
  const scope = new TableScope(config.tableScope).describe();
  if (scope) lines.push(`  Table scope: ${scope} (DATAVERSE_TABLES / DATAVERSE_EXCLUDE_TABLES).`);
  lines.push(
    '  Claude Desktop (claude_desktop_config.json):',
    `    { "mcpServers": { "dataverse-sandbox": { "command": "node", "args": [${JSON.stringify(process.argv[1])}, "--sandbox"] } } }`,
  );
  if (httpUrl) lines.push('It stays in the foreground (Ctrl+C stops it): use a second terminal for Claude Code or the tests.');
  lines.push('');
  process.stderr.write(lines.join('\n') + '\n');
}

export function run(): void {
  main().catch((error) => {
    process.stderr.write(`dataverse-mcp: fatal: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
