import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The SDK stdio transport's limit on one buffered message. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

/**
 * MCP over stdio: newline-delimited JSON-RPC on stdin and stdout, as the SDK's StdioServerTransport frames it. Two
 * differences:
 * - `intercept` sees each parsed message first, so the session answers plain tool calls and lists itself, with no
 *   schema parse and no per-request bookkeeping of the SDK protocol; anything it leaves goes through the SDK's
 *   message schema to the protocol (initialize, notifications, responses to elicitation, requests with `_meta`).
 * - A line longer than {@link MAX_LINE_BYTES} is dropped and reported (`onerror`), and reading goes on with the next
 *   line; the SDK closes the session instead. Chunks are kept as they come and joined once per line, so a long
 *   line costs one copy, not one per chunk.
 */
export class StdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** A session for as long as the connection lasts: it carries notifications to the client (see clientLog). */
  readonly persistent = true;
  /** Returns true when it answered the message itself. */
  intercept?: (message: unknown) => boolean;

  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Inside a line that was too long: bytes are dropped up to its end. */
  private dropping = false;
  private started = false;

  constructor(
    private readonly input: Readable = process.stdin,
    private readonly output: Writable = process.stdout,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  async start(): Promise<void> {
    if (this.started) throw new Error('StdioTransport already started');
    this.started = true;
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
  }

  /** Writes one message (a line of JSON); resolves once the output took it. */
  send(message: JSONRPCMessage): Promise<void> {
    return this.write(JSON.stringify(message) + '\n');
  }

  /** Writes text that already is one serialized message and its newline. */
  write(line: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(line)) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    if (this.input.listenerCount('data') === 0) this.input.pause();
    this.chunks = [];
    this.buffered = 0;
    this.onclose?.();
  }

  private readonly onInputError = (error: Error) => this.onerror?.(error);

  private readonly onData = (chunk: Buffer | string) => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (;;) {
      const nl = data.indexOf(0x0a);
      if (nl === -1) {
        this.keep(data);
        return;
      }
      const head = data.subarray(0, nl);
      data = data.subarray(nl + 1);
      if (this.dropping) {
        this.dropping = false;
        continue;
      }
      if (this.buffered + head.length > this.maxLineBytes) {
        this.tooLong();
        continue;
      }
      const line = this.chunks.length ? Buffer.concat([...this.chunks, head]) : head;
      this.chunks = [];
      this.buffered = 0;
      this.handle(line.toString('utf8'));
    }
  };

  private keep(data: Buffer): void {
    if (this.dropping || data.length === 0) return;
    if (this.buffered + data.length > this.maxLineBytes) {
      this.tooLong();
      this.dropping = true;
      return;
    }
    this.chunks.push(data);
    this.buffered += data.length;
  }

  private tooLong(): void {
    this.chunks = [];
    this.buffered = 0;
    this.onerror?.(new Error(`A message over ${this.maxLineBytes} bytes was dropped`));
  }

  private handle(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch (error) {
      this.onerror?.(error as Error);
      return;
    }
    try {
      if (this.intercept?.(message)) return;
      const parsed = JSONRPCMessageSchema.safeParse(message);
      if (!parsed.success) {
        this.onerror?.(parsed.error);
        return;
      }
      this.onmessage?.(parsed.data);
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }
}
