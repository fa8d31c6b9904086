import type { LoggerService } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';

/** The contexts of the ~25 lines Nest writes while it starts. */
const BOOTSTRAP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * Nest's own logger interface over the root pino logger, passed to NestFactory at creation so that
 * nothing Nest prints during bootstrap goes to stdout (its default ConsoleLogger writes there).
 */
export class NestPinoLogger implements LoggerService {
  /** `quietBootstrap`: Nest's start-up lines (modules initialised, routes mapped) are logged at debug, not info. */
  constructor(
    private readonly root: PinoLogger,
    private readonly options: { quietBootstrap?: boolean } = {},
  ) {}

  log(message: unknown, ...rest: unknown[]) {
    const context = rest[rest.length - 1];
    const bootstrap = this.options.quietBootstrap && typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context);
    this.write(bootstrap ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    // Nest logs a failed listen before rejecting; the caller reports a taken port in one line of its own.
    const taken = typeof message === 'string' && message.startsWith('Error: listen EADDRINUSE');
    this.write(taken ? 'debug' : 'error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]) {
    // Below the level nothing is written: not even the fields are gathered (the client's per-request debug line).
    if (!this.root.isLevelEnabled(level)) return;
    // Nest passes the context (class name) last; for errors a stack may come before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) {
      this.root[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ ...fields, ...(message as object) });
    } else {
      if (level === 'error' && typeof rest[0] === 'string' && rest.length > 1) fields.stack = rest[0];
      this.root[level](fields, String(message));
    }
  }
}
