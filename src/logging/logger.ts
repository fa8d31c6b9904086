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
  if (pretty && canResolve('pino-pretty')) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } });
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}

function canResolve(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
