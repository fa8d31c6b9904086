/* Test helper: Microsoft Entra ID's token endpoint for the on-behalf-of exchange, played through MSAL's
 * injected `system.networkClient`. Types only from MSAL, so a launcher in another process can load it. */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { claimsOf } from './local-issuer';

export interface OboPost {
  url: string;
  form: URLSearchParams;
}

export interface FakeEntraOboOptions {
  clientId: string;
  clientSecret: string;
  /** The Dataverse access token to hand out for a user (e.g. an emulator token acting as their systemuser). */
  tokenFor(oid: string): string | Promise<string>;
  /** Called for every exchange (e.g. to log it). */
  onExchange?(post: OboPost): void;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Answers `POST https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token` with grant jwt-bearer + on_behalf_of. */
export class FakeEntraObo implements INetworkModule {
  readonly posts: OboPost[] = [];
  readonly gets: string[] = [];
  /** Set to an Entra error code to refuse the next exchanges (e.g. `invalid_grant`). */
  failWith?: { status: number; error: string; description: string; suberror?: string };
  lifetimeSeconds = 3599;

  constructor(private readonly options: FakeEntraOboOptions) {}

  exchanges(): OboPost[] {
    return this.posts.filter((p) => p.form.get('requested_token_use') === 'on_behalf_of');
  }

  async sendGetRequestAsync<T>(url: string): Promise<NetworkResponse<T>> {
    this.gets.push(url);
    return { status: 404, headers: {}, body: { error: 'not_found', error_description: `unexpected GET ${url}` } as T };
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const form = new URLSearchParams(options?.body ?? '');
    const post = { url: url.split('?')[0], form };
    this.posts.push(post);
    this.options.onExchange?.(post);
    const reply = (status: number, body: object): NetworkResponse<T> => ({ status, headers: {}, body: body as T });
    const error = (status: number, code: string, description: string, suberror?: string) =>
      reply(status, { error: code, error_description: `${description}\r\nTrace ID: 0`, error_codes: [0], suberror });
    if (!post.url.endsWith('/oauth2/v2.0/token')) return error(404, 'not_found', `unexpected POST ${url}`);
    if (form.get('client_id') !== this.options.clientId || form.get('client_secret') !== this.options.clientSecret) {
      return error(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    }
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || form.get('requested_token_use') !== 'on_behalf_of') {
      return error(400, 'unsupported_grant_type', 'AADSTS70003: expected an on-behalf-of request.');
    }
    if (this.failWith) return error(this.failWith.status, this.failWith.error, this.failWith.description, this.failWith.suberror);
    const assertion = form.get('assertion') ?? '';
    let claims: Record<string, unknown>;
    try {
      claims = claimsOf(assertion);
    } catch {
      return error(400, 'invalid_grant', 'AADSTS50013: Assertion is not a JWT.');
    }
    const oid = String(claims.oid ?? '');
    const tid = String(claims.tid ?? '');
    const accessToken = await this.options.tokenFor(oid);
    return reply(200, {
      token_type: 'Bearer',
      scope: form.get('scope') ?? '',
      expires_in: this.lifetimeSeconds,
      ext_expires_in: this.lifetimeSeconds,
      access_token: accessToken,
      refresh_token: `RT-${oid}`,
      client_info: b64({ uid: oid, utid: tid }),
    });
  }
}
