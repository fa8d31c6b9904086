import type { IncomingHttpHeaders } from 'node:http';
import { createGunzip, type Gunzip } from 'node:zlib';

/** Most bytes one Dataverse response may take on the wire, and after gzip is undone. */
export const RESPONSE_LIMITS = {
  maxRawBytes: 64 * 1024 * 1024,
  maxDecodedBytes: 64 * 1024 * 1024,
};

export type ResponseLimits = typeof RESPONSE_LIMITS;

/** Why a body could not be read: over a size limit, or a content encoding that does not decode. */
export type BodyProblem = 'too_large' | 'undecodable';

export interface ReadBody {
  text: string;
  problem?: BodyProblem;
  /** The limit that was reached (bytes), for a `too_large` problem. */
  limitBytes?: number;
}

/** What the reader reports: the body (or why it was abandoned) once, or a network error while reading. */
export interface BodyOutcome {
  done(body: ReadBody): void;
  failed(error: unknown): void;
  /** The body was abandoned: stop the response, nothing more is buffered. */
  abandon(): void;
}

/** What the HTTP client feeds the reader: the body's chunks as they come, then its end or an error. */
export interface BodySink {
  data(chunk: Buffer): void;
  end(): void;
  error(error: unknown): void;
}

/** The sink of a body abandoned before its first chunk: whatever still comes is dropped. */
const IGNORE: BodySink = { data() {}, end() {}, error() {} };

/**
 * Reads a response body as UTF-8 text, inflating gzip as it streams and stopping at the limits: a body over
 * them (or one that does not decode) is abandoned — the response is stopped, nothing more is buffered — and
 * reported as a problem instead of text. Network errors while reading are reported as errors.
 */
export function readBody(headers: IncomingHttpHeaders, limits: ResponseLimits, outcome: BodyOutcome): BodySink {
  const reader = new BodyReader(limits, outcome);
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxRawBytes) {
    reader.abandon('too_large', limits.maxRawBytes);
    return IGNORE;
  }
  const encoding = String(headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== '') {
    reader.abandon('undecodable');
    return IGNORE;
  }
  if (encoding === 'gzip') reader.inflate();
  return reader;
}

/** One body being read (a class, so a response costs one object rather than a set of closures). */
class BodyReader implements BodySink {
  private settled = false;
  private gunzip?: Gunzip;
  private readonly chunks: Buffer[] = [];
  private raw = 0;
  private decoded = 0;

  constructor(
    private readonly limits: ResponseLimits,
    private readonly outcome: BodyOutcome,
  ) {}

  inflate(): void {
    const gunzip = createGunzip();
    this.gunzip = gunzip;
    gunzip.on('data', (chunk: Buffer) => this.collect(chunk));
    gunzip.on('error', () => this.abandon('undecodable'));
    gunzip.on('end', () => this.done());
  }

  data(chunk: Buffer): void {
    if (this.settled) return;
    this.raw += chunk.length;
    if (this.raw > this.limits.maxRawBytes) return this.abandon('too_large', this.limits.maxRawBytes);
    if (this.gunzip) this.gunzip.write(chunk);
    else this.collect(chunk);
  }

  end(): void {
    if (this.settled) return;
    if (!this.gunzip) return this.done();
    if (this.raw === 0) {
      this.gunzip.destroy();
      return this.done();
    }
    this.gunzip.end();
  }

  error(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.outcome.failed(error);
  }

  abandon(problem: BodyProblem, limitBytes?: number): void {
    if (this.settled) return;
    this.finish({ text: '', problem, ...(limitBytes ? { limitBytes } : {}) });
    this.gunzip?.destroy();
    this.outcome.abandon();
  }

  private collect(chunk: Buffer): void {
    this.decoded += chunk.length;
    if (this.decoded > this.limits.maxDecodedBytes) return this.abandon('too_large', this.limits.maxDecodedBytes);
    this.chunks.push(chunk);
  }

  private done(): void {
    // Inside an event handler a throw would escape every promise: turn it into a failure instead.
    try {
      const chunks = this.chunks;
      this.finish({ text: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8') });
    } catch (error) {
      this.error(error);
    }
  }

  private finish(result: ReadBody): void {
    if (this.settled) return;
    this.settled = true;
    this.outcome.done(result);
  }
}
