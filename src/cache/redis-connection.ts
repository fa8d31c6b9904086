import { Logger } from '@nestjs/common';
import type { RedisClientType } from 'redis';
import { redactUrl } from '../config';
import { clientLog } from '../logging/client/client-log';

const REDIS_DOWN_NOTICE =
  'Redis is unreachable: reading straight from Dataverse without the cache, and deletes cannot be confirmed until it is back.';
const REDIS_UP_NOTICE = 'Redis is reachable again: caching and deletes resume.';

export interface RedisConnectionOptions {
  /** Socket connect timeout. */
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts. */
  maxReconnectDelayMs?: number;
}

/**
 * The one node-redis client of the process (cache store, and the proposals module's Lua script).
 * `redis` is loaded only when REDIS_URL is set: it costs a few hundred ms of start-up.
 *
 * Availability is tracked from the client's events: commands fail fast while disconnected
 * (`disableOfflineQueue`), node-redis keeps reconnecting with a capped backoff, and the
 * "unreachable" warning is logged once per outage, not once per call.
 */
export class RedisConnection {
  private readonly logger = new Logger('Redis');
  private down = false;
  private everReady = false;
  private closed = false;
  private readyWaiters: Array<() => void> = [];

  private constructor(
    readonly client: RedisClientType,
    private readonly url: string,
  ) {}

  static async create(url: string, options: RedisConnectionOptions = {}): Promise<RedisConnection> {
    const { createClient } = await import('redis');
    const maxDelay = options.maxReconnectDelayMs ?? 2000;
    // node-redis has no unix:// URL scheme: a socket path goes into `socket.path`.
    const unix = /^unix:\/\/(\/[^?]*)(?:\?db=(\d+))?$/.exec(url);
    const client = createClient({
      ...(unix ? { database: unix[2] ? Number(unix[2]) : undefined } : { url }),
      disableOfflineQueue: true,
      pingInterval: 10_000,
      socket: {
        ...(unix ? { path: unix[1] } : {}),
        connectTimeout: options.connectTimeoutMs ?? 1000,
        // Capped exponential backoff with jitter; never gives up (the cache comes back by itself).
        reconnectStrategy: (retries: number) => Math.min(maxDelay, 50 * 2 ** Math.min(retries, 10)) + Math.floor(Math.random() * 50),
      },
    }) as RedisClientType;
    const connection = new RedisConnection(client, url);
    connection.attach();
    return connection;
  }

  /** Starts connecting without waiting: start-up never blocks on Redis. */
  connect(): void {
    this.client.connect().catch((error: unknown) => this.markDown(error));
  }

  get isReady(): boolean {
    return !this.closed && this.client.isReady;
  }

  /** Still connecting for the first time (no outage seen yet): worth a short wait. */
  get starting(): boolean {
    return !this.everReady && !this.down && !this.closed;
  }

  /** Resolves true once ready, false after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.isReady) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(this.isReady);
      };
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      this.readyWaiters.push(done);
    });
  }

  /** For the readiness probe. */
  async ping(): Promise<void> {
    if (!this.isReady) throw new Error(`not connected to ${redactUrl(this.url)}`);
    await this.client.ping();
  }

  /** A cache operation failed or timed out: count it as an outage (logged once). */
  markDown(error?: unknown): void {
    if (this.down || this.closed) return;
    this.down = true;
    this.logger.warn(
      { redis: redactUrl(this.url), err: error instanceof Error ? error.message : error },
      'Redis is unreachable: reading straight from Dataverse without caching until it is back',
    );
    clientLog.warn(REDIS_DOWN_NOTICE, 'process');
  }

  /** An operation succeeded: ends an outage that had no reconnect (a frozen or slow server). */
  markUp(): void {
    if (!this.down || !this.isReady) return;
    this.down = false;
    this.logger.log({ redis: redactUrl(this.url) }, 'Redis is answering again: caching resumes');
    clientLog.notify('info', REDIS_UP_NOTICE, 'process');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.client.isOpen) await this.client.close();
    } catch {
      this.client.destroy();
    }
  }

  private attach(): void {
    // Without an 'error' listener node-redis errors would crash the process.
    this.client.on('error', (error: unknown) => this.markDown(error));
    this.client.on('ready', () => {
      this.everReady = true;
      if (this.down) {
        this.logger.log({ redis: redactUrl(this.url) }, 'Redis is reachable again: caching resumes');
        clientLog.notify('info', REDIS_UP_NOTICE, 'process');
      }
      this.down = false;
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of waiters) w();
    });
  }
}
