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

/**
 * Reads a response body as UTF-8 text, inflating gzip as it streams and stopping at the limits: a body over
 * them (or one that does not decode) is abandoned — the response is stopped, nothing more is buffered — and
 * reported as a problem instead of text. Network errors while reading are reported as errors.
 */
export function readBody(headers: IncomingHttpHeaders, limits: ResponseLimits, outcome: BodyOutcome): BodySink {
  let settled = false;
  let gunzip: Gunzip | undefined;
  const finish = (result: ReadBody) => {
    if (settled) return;
    settled = true;
    outcome.done(result);
  };
  const fail = (error: unknown) => {
    if (settled) return;
    settled = true;
    outcome.failed(error);
  };
  const abandon = (problem: BodyProblem, limitBytes?: number) => {
    if (settled) return;
    finish({ text: '', problem, ...(limitBytes ? { limitBytes } : {}) });
    gunzip?.destroy();
    outcome.abandon();
  };
  const ignore: BodySink = { data: () => undefined, end: () => undefined, error: () => undefined };

  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxRawBytes) {
    abandon('too_large', limits.maxRawBytes);
    return ignore;
  }
  const encoding = String(headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== '') {
    abandon('undecodable');
    return ignore;
  }

  const chunks: Buffer[] = [];
  let raw = 0;
  let decoded = 0;
  const collect = (chunk: Buffer) => {
    decoded += chunk.length;
    if (decoded > limits.maxDecodedBytes) return abandon('too_large', limits.maxDecodedBytes);
    chunks.push(chunk);
  };
  const done = () => {
    // Inside an event handler a throw would escape every promise: turn it into a failure instead.
    try {
      finish({ text: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8') });
    } catch (error) {
      fail(error);
    }
  };

  if (encoding === 'gzip') {
    gunzip = createGunzip();
    gunzip.on('data', collect);
    gunzip.on('error', () => abandon('undecodable'));
    gunzip.on('end', done);
  }
  return {
    data(chunk) {
      if (settled) return;
      raw += chunk.length;
      if (raw > limits.maxRawBytes) return abandon('too_large', limits.maxRawBytes);
      if (gunzip) gunzip.write(chunk);
      else collect(chunk);
    },
    end() {
      if (settled) return;
      if (!gunzip) return done();
      if (raw === 0) {
        gunzip.destroy();
        return done();
      }
      gunzip.end();
    },
    error: fail,
  };
}
