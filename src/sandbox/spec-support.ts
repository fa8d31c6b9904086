import { EmulatorHandle } from './types';

/** Small HTTP helpers shared by the sandbox specs. */

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Bearer token; null sends no Authorization header; default: a fresh sandbox-user token. */
  token?: string | null;
}

const tokens = new WeakMap<EmulatorHandle, string>();

export async function call(em: EmulatorHandle, pathOrUrl: string, o: CallOptions = {}): Promise<Reply> {
  let token = o.token;
  if (token === undefined) {
    token = tokens.get(em);
    if (!token) tokens.set(em, (token = em.issueToken()));
  }
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'OData-MaxVersion': '4.0',
    'OData-Version': '4.0',
    ...(o.headers ?? {}),
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : em.apiUrl + pathOrUrl;
  const r = await fetch(url, { method: o.method ?? 'GET', headers, body, redirect: 'manual' });
  const text = await r.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

export const ANNOTATIONS = { Prefer: 'odata.include-annotations="*"' };
