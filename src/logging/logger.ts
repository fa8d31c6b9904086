import pino, { Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config/app-config';
import { REDACT_PATHS } from './redaction';

/**
 * The root pino logger. It writes JSON to **stderr** (fd 2) in every mode: in stdio mode stdout
 * carries only MCP JSON-RPC. Pretty output only when stderr is a terminal and pino-pretty is installed.
 */
export function createRootLogger(level: LogLevel, options: { pretty?: boolean } = {}): PinoLogger {
  const base = {
    level,
    base: { service: 'dataverse-mcp' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const prettyStream = pretty ? loadPrettyStream() : undefined;
  if (prettyStream) return pino(base, prettyStream);
  return pino(base, pino.destination({ dest: 2, sync: true }));
}

/**
 * pino-pretty (a development dependency) as an in-process stream to stderr, when it is installed. Not as a pino
 * transport: a transport starts a worker thread from pino's own files, which the bundled server does not ship.
 */
function loadPrettyStream(): pino.DestinationStream | undefined {
  let prettyFactory: (options: Record<string, unknown>) => pino.DestinationStream;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    prettyFactory = require('pino-pretty') as typeof prettyFactory;
  } catch {
    return undefined;
  }
  return prettyFactory({ destination: 2, colorize: true, sync: true });
}
