import type { IncomingMessage } from 'node:http';
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

/**
 * Reads a response body as UTF-8 text, inflating gzip as it streams and stopping at the limits: a body over
 * them (or one that does not decode) is abandoned — the response is destroyed, nothing more is buffered — and
 * reported as a problem instead of text. Network errors while reading reject, as before.
 */
export function readBody(res: IncomingMessage, limits: ResponseLimits = RESPONSE_LIMITS): Promise<ReadBody> {
  return new Promise<ReadBody>((resolve, reject) => {
    let settled = false;
    let gunzip: Gunzip | undefined;
    const finish = (result: ReadBody) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    // Not `instanceof Error`: errors from Node internals may come from another realm.
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const abandon = (problem: BodyProblem, limitBytes?: number) => {
      finish({ text: '', problem, ...(limitBytes ? { limitBytes } : {}) });
      gunzip?.destroy();
      res.destroy();
    };

    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxRawBytes) return abandon('too_large', limits.maxRawBytes);
    const encoding = String(res.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== '') return abandon('undecodable');

    const chunks: Buffer[] = [];
    let raw = 0;
    let decoded = 0;
    const collect = (chunk: Buffer) => {
      decoded += chunk.length;
      if (decoded > limits.maxDecodedBytes) return abandon('too_large', limits.maxDecodedBytes);
      chunks.push(chunk);
    };
    const done = () => {
      // Inside an event handler a throw would escape every promise: turn it into a rejection instead.
      try {
        finish({ text: Buffer.concat(chunks).toString('utf8') });
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
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      raw += chunk.length;
      if (raw > limits.maxRawBytes) return abandon('too_large', limits.maxRawBytes);
      if (gunzip) gunzip.write(chunk);
      else collect(chunk);
    });
    res.on('error', fail);
    // A connection that closes before the body is complete (without an error event) is a reset, not a short body.
    res.on('close', () => {
      if (!res.complete) fail(Object.assign(new Error('response closed before it was complete'), { code: 'ECONNRESET' }));
    });
    res.on('end', () => {
      if (settled) return;
      if (!gunzip) return done();
      if (raw === 0) {
        gunzip.destroy();
        return done();
      }
      gunzip.end();
    });
  });
}
