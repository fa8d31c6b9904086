/* Test helpers: a local Microsoft Entra ID stand-in. Only node built-ins at run time, so a test launcher in
 * another process can load it too. */
import { createSign, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';

export const TEST_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const TEST_CLIENT_ID = '3f0c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

export interface TestUser {
  oid: string;
  name: string;
  username: string;
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: `kid-${randomUUID()}`, privateKey, publicKey };
}

export interface MintOptions {
  /** Claims to add or override (`undefined` removes one). */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Sign with a key the JWKS does not publish. */
  unpublishedKey?: boolean;
  /** Replace the signature with garbage. */
  badSignature?: boolean;
}

/**
 * RS256 tokens for this server's app registration, signed with keys served as a JWKS document on loopback
 * (`jwksUrl`). `rotate()` publishes a new key, as Entra does; `jwksRequests` counts fetches.
 */
export class LocalIssuer {
  private published: SigningKey[] = [newKey()];
  private readonly stranger = newKey();
  private server?: Server;
  jwksRequests = 0;
  jwksUrl = '';

  constructor(
    readonly tenantId = TEST_TENANT_ID,
    readonly clientId = TEST_CLIENT_ID,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.url?.split('?')[0] !== '/discovery/v2.0/keys') {
        res.writeHead(404).end();
        return;
      }
      this.jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.jwks()));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/discovery/v2.0/keys`;
    return this.jwksUrl;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  jwks(): { keys: object[] } {
    return { keys: this.published.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, use: 'sig', alg: 'RS256' })) };
  }

  /** Publishes a new signing key and signs new tokens with it (the old one stays published, as in Entra). */
  rotate(): void {
    this.published = [newKey(), ...this.published];
  }

  /** A v2.0 access token for `api://<client id>` with scope access_as_user, valid for an hour. */
  mint(user: TestUser, options: MintOptions = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const key = options.unpublishedKey ? this.stranger : this.published[0];
    const header = { alg: 'RS256', typ: 'JWT', kid: key.kid, ...options.header };
    const claims: Record<string, unknown> = {
      aud: `api://${this.clientId}`,
      iss: `https://login.microsoftonline.com/${this.tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      tid: this.tenantId,
      oid: user.oid,
      sub: `sub-${user.oid}`,
      name: user.name,
      preferred_username: user.username,
      scp: 'access_as_user',
      azp: randomUUID(),
      ver: '2.0',
      ...options.claims,
    };
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
    const data = `${b64(header)}.${b64(claims)}`;
    const signature = options.badSignature
      ? Buffer.from('not-the-signature').toString('base64url')
      : createSign('RSA-SHA256').update(data).sign(key.privateKey).toString('base64url');
    return `${data}.${signature}`;
  }
}

/** The claims of a JWT, unverified (for the fake Entra's bookkeeping). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
