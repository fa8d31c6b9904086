import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';

/**
 * Signs list_records cursors with HMAC-SHA256 so a cursor cannot be made up or edited: `<payload>.<signature>`,
 * both base64url. The key is derived from CLIENT_SECRET when it is set (replicas of one multi-user deployment
 * then accept each other's cursors), otherwise it is random per process (a restart invalidates open cursors,
 * and the model is told to run the query again).
 */
@Injectable()
export class CursorCodec {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'clientSecret'>) {
    this.key = config.clientSecret
      ? createHmac('sha256', config.clientSecret).update('dataverse-mcp list_records cursor v1').digest()
      : randomBytes(32);
  }

  encode(state: object): string {
    const payload = Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  /** The parsed payload of a cursor this codec signed, or undefined for anything else. */
  decode(cursor: string): unknown {
    const dot = cursor.indexOf('.');
    if (dot < 1 || dot !== cursor.lastIndexOf('.')) return undefined;
    const payload = cursor.slice(0, dot);
    const given = Buffer.from(cursor.slice(dot + 1), 'base64url');
    const expected = this.sign(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
