import { createHash, randomBytes } from 'node:crypto';

/** Every confirmation token starts with this, so a token pasted in the wrong place is recognisable. */
export const TOKEN_PREFIX = 'dvdel_';
const TOKEN_BYTES = 32;
/** base64url of 32 bytes, unpadded. */
const BODY_LENGTH = 43;
export const TOKEN_LENGTH = TOKEN_PREFIX.length + BODY_LENGTH;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** A fresh token: the prefix and 256 random bits in base64url. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The only form of a token that is ever stored: hex SHA-256 of the whole token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export type TokenProblem = 'empty' | 'prefix' | 'characters' | 'length';

/** Why `token` cannot be a confirmation token, or undefined when its shape is right. */
export function tokenProblem(token: string): TokenProblem | undefined {
  if (token.length === 0) return 'empty';
  if (!token.startsWith(TOKEN_PREFIX)) return 'prefix';
  const body = token.slice(TOKEN_PREFIX.length);
  if (!BASE64URL.test(body)) return 'characters';
  if (body.length !== BODY_LENGTH) return 'length';
  return undefined;
}
