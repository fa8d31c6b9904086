import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuditTrail } from './audit/audit-trail';
import { routeAudit, withTableAuditSetting } from './audit/audit-routes';
import { aroundWrite } from './audit/write-hooks';
import { Auth } from './auth';
import { handleBatch } from './batch/batch';
import { ORGANIZATION_ID, TENANT_ID, seed } from './data/seed';
import { ianaForCode } from './data/time-zones';
import { ApiError, Errors } from './errors';
import { Faults, THROTTLE_MESSAGES } from './faults';
import { isExecutedKind, sendHostile, spoilAnswer } from './hostile/hostile-responses';
import { ApiContext, ApiResult } from './handlers/context';
import { findEntity, getEntity, getEntityNav, listEntities } from './handlers/metadata';
import { countRecords, getRecord, listRecords } from './handlers/record-read';
import { queryPower } from './handlers/record-query-power';
import { createRecord, deleteRecord, patchRecord } from './handlers/record-write';
import { MetadataAnswers } from './handlers/metadata-answers';
import { getModel } from './metadata/registry';
import { SearchSettings } from './search/search-index';
import { routeSearch } from './search/search-query';
import { IntersectTables } from './relationships/many-to-many';
import { routeRelationship } from './relationships/refs';
import { assertGuid, parseOptions, parsePrefer, parseQueryString } from './odata/query';
import { Store, StoreSnapshot } from './store';
import { seedViewsIfMissing } from './views/seed';
import { EmulatorHandle, EmulatorOptions, FaultSettings, RequestLogEntry } from './types';

const API_PREFIX = /^\/api\/data\/v9\.[0-2]\//;
const MAX_BODY = 32 * 1024 * 1024;
/** The service's URL limit (a longer FetchXML query goes in a $batch GET); Node's own header limit is raised above it. */
const MAX_URL = 32_768;
const MAX_LOG = 10_000;
const JSON_TYPE = 'application/json; odata.metadata=minimal';

interface Snapshot extends StoreSnapshot {
  meta: { sandboxUserId: string; businessUnitId: string };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, '0x80040216', 'The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
const isLoopback = (addr: string | undefined) => addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';

/** Starts the Dataverse Web API v9.2 emulator. Nothing runs at import time; nothing is written to stdout. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const log = options.log ?? (() => undefined);
  const model = getModel();
  const store = new Store(model);
  const intersects = new IntersectTables();
  let meta: Snapshot['meta'];
  if (options.dataFile && existsSync(options.dataFile)) {
    let snap: Snapshot;
    try {
      snap = JSON.parse(readFileSync(options.dataFile, 'utf8')) as Snapshot;
    } catch (e) {
      throw new Error(`The emulator data file ${options.dataFile} could not be read: ${(e as Error).message}`);
    }
    store.load(snap);
    meta = snap.meta;
    seedViewsIfMissing(store, meta.sandboxUserId, meta.businessUnitId, ORGANIZATION_ID);
    log('emulator data loaded', { dataFile: options.dataFile });
  } else {
    meta = seed(store);
  }
  const { sandboxUserId, businessUnitId } = meta;
  const audit = new AuditTrail(model, options.audit);
  const metadataAnswers = new MetadataAnswers();
  audit.seed(store, sandboxUserId);

  const auth = new Auth(
    sandboxUserId,
    (id) => !!store.get('systemuser', id),
    TENANT_ID,
    (id) => {
      const u = store.get('systemuser', id);
      return { name: String(u?.fullname ?? 'Sandbox User'), upn: String(u?.domainname ?? 'sandbox.user@sandbox.onmicrosoft.com') };
    },
  );
  const faults = new Faults();
  const search = new SearchSettings(!options.searchDisabled);
  let requestLog: RequestLogEntry[] = [];

  // Debounced, atomic persistence.
  let saveTimer: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();
  let saveSeq = 0;
  const save = async () => {
    saveTimer = undefined;
    const file = options.dataFile!;
    const tmp = `${file}.${process.pid}.${++saveSeq}.tmp`;
    const snap: Snapshot = { ...store.snapshot(), meta };
    await writeFile(tmp, JSON.stringify(snap));
    await rename(tmp, file);
  };
  if (options.dataFile) {
    store.onChange = () => {
      if (saveTimer) return;
      saveTimer = setTimeout(() => {
        saving = saving.then(save).catch((e) => log('emulator data save failed', { error: String(e) }));
      }, 50);
    };
  }

  let url = '';
  let apiUrl = '';

  const write = (res: ServerResponse, status: number, headers: Record<string, string>, body?: string) => {
    if (res.destroyed || res.headersSent) return;
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    else if (status !== 204 && status !== 304) headers['Content-Length'] = '0';
    res.writeHead(status, headers);
    res.end(body);
  };

  const apiHeaders = () => ({ 'OData-Version': '4.0', REQ_ID: randomUUID(), 'Cache-Control': 'no-cache' }) as Record<string, string>;

  const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

  async function handleApi(req: IncomingMessage, res: ServerResponse, rawUrl: string, path: string, rawQuery: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const text = method === 'POST' || method === 'PATCH' || method === 'PUT' ? await readBody(req) : '';
    const isBatch = method === 'POST' && path.replace(API_PREFIX, '') === '$batch';
    let body: unknown;
    let bodyError = false;
    if (text.trim() && !isBatch) {
      try {
        body = JSON.parse(text);
      } catch {
        bodyError = true;
      }
    }
    const h = req.headers;
    const entry: RequestLogEntry = {
      method,
      url: rawUrl,
      headers: {
        ...(h.prefer !== undefined ? { prefer: String(h.prefer) } : {}),
        ...(h['if-match'] !== undefined ? { ifMatch: String(h['if-match']) } : {}),
        ...(h['content-type'] !== undefined ? { contentType: String(h['content-type']) } : {}),
        hasAuthorization: h.authorization !== undefined,
      },
      status: 0,
      ...(body !== undefined ? { body } : {}),
      at: Date.now(),
    };
    requestLog.push(entry);
    if (requestLog.length > MAX_LOG) requestLog = requestLog.slice(-MAX_LOG / 2);
    const send = (status: number, headers: Record<string, string>, payload?: string) => {
      entry.status = status;
      write(res, status, headers, payload);
    };

    if (faults.latencyMs) await sleep(faults.latencyMs);
    const decision = faults.active ? faults.next(method, path) : { kind: 'none' as const };
    if (decision.kind === 'hostile' && !isExecutedKind(decision.hostile)) {
      entry.status = 200;
      sendHostile(res, decision.hostile, apiHeaders());
      return;
    }
    const spoil = decision.kind === 'hostile' && isExecutedKind(decision.hostile) ? decision.hostile : undefined;
    if (decision.kind === 'drop') {
      entry.status = 0;
      req.socket.destroy();
      return;
    }
    if (decision.kind === 'throttle') {
      const message = THROTTLE_MESSAGES[decision.code] ?? THROTTLE_MESSAGES['0x80072322'];
      send(
        429,
        { ...apiHeaders(), 'Content-Type': JSON_TYPE, 'Retry-After': String(decision.retryAfter) },
        errorBody(decision.code, message),
      );
      return;
    }
    if (decision.kind === 'fail') {
      if (decision.status === 500)
        send(500, { ...apiHeaders(), 'Content-Type': JSON_TYPE }, errorBody('0x80040216', 'An unexpected error occurred.'));
      else {
        const reason = { 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' }[decision.status];
        send(
          decision.status,
          { 'Content-Type': 'text/html; charset=utf-8' },
          `<html><head><title>${decision.status} ${reason}</title></head><body><h1>${reason}</h1></body></html>`,
        );
      }
      return;
    }

    const userId = auth.resolve(h.authorization);
    if (!userId) {
      send(401, {
        'WWW-Authenticate': `Bearer authorization_uri=https://login.microsoftonline.com/${TENANT_ID}/oauth2/authorize, resource_id=${url}/`,
        REQ_ID: randomUUID(),
      });
      return;
    }

    try {
      if (bodyError)
        throw new ApiError(
          400,
          '0x80048d19',
          'Error identified in Payload provided by the user. ---->  InnerException : Microsoft.OData.ODataException: Invalid JSON. The request body is not valid JSON.',
        );
      const settings = store.get('usersettings', userId);
      const prefer = parsePrefer(h.prefer as string | undefined);
      const ctx: ApiContext = {
        model,
        store,
        apiUrl,
        userId,
        businessUnitId,
        organizationId: ORGANIZATION_ID,
        prefer,
        timeZone: ianaForCode(settings?.timezonecode),
        rawQuery,
        aggregateLimit: options.aggregateRecordLimit,
      };
      const result = isBatch ? batch(ctx, text, h) : route(ctx, method, path.replace(API_PREFIX, ''), rawQuery, body, h);
      const headers: Record<string, string> = { ...apiHeaders(), ...(result.headers ?? {}) };
      if (result.text !== undefined) {
        headers['Content-Type'] = result.contentType ?? 'text/plain; charset=utf-8';
        send(result.status, headers, result.text);
      } else if (spoil) {
        const json = result.json ?? (result.body === undefined ? undefined : JSON.stringify(result.body));
        const spoiled = spoilAnswer(spoil, result.status, json, apiUrl);
        send(spoiled.status, { ...headers, 'Content-Type': JSON_TYPE }, spoiled.body);
      } else if (result.json !== undefined || result.body !== undefined) {
        headers['Content-Type'] = JSON_TYPE;
        send(result.status, headers, result.json ?? JSON.stringify(result.body));
      } else send(result.status, headers);
    } catch (e) {
      if (e instanceof ApiError) {
        send(e.status, { ...apiHeaders(), ...e.headers, 'Content-Type': JSON_TYPE }, errorBody(e.code, e.message));
      } else {
        log('emulator request failed', { error: String((e as Error)?.stack ?? e), url: rawUrl });
        send(500, { ...apiHeaders(), 'Content-Type': JSON_TYPE }, errorBody('0x80040216', 'An unexpected error occurred.'));
      }
    }
  }

  /** `$batch`: each part goes through `route` with its own headers; a change set is rolled back from a copy of the store. */
  function batch(ctx: ApiContext, text: string, h: IncomingMessage['headers']): ApiResult {
    return handleBatch(h['content-type'], text, /odata\.continue-on-error/i.test(String(h.prefer ?? '')), {
      apiUrl,
      execute: (r) =>
        route({ ...ctx, prefer: parsePrefer(r.headers.prefer), rawQuery: r.rawQuery }, r.method, r.path, r.rawQuery, r.body, r.headers),
      checkpoint: () => {
        const saved = structuredClone(store.snapshot());
        const links = intersects.snapshot();
        return () => {
          store.load(saved);
          intersects.restore(links);
          store.changed();
        };
      },
    });
  }

  function route(ctx: ApiContext, method: string, rest: string, rawQuery: string, body: unknown, h: IncomingMessage['headers']): ApiResult {
    let decoded: string;
    try {
      decoded = decodeURIComponent(rest);
    } catch {
      throw Errors.segmentNotFound(rest);
    }
    // `$ref` takes `$id`, which is no system query option anywhere else.
    const q = parseOptions(parseQueryString(decoded.endsWith('/$ref') ? '' : rawQuery));
    const segs = decoded.split('/');
    if (segs.length && segs[segs.length - 1] === '') segs.pop();
    if (segs.length === 0) {
      if (method !== 'GET') throw Errors.methodNotAllowed(method);
      return {
        status: 200,
        body: {
          '@odata.context': `${apiUrl}$metadata`,
          value: model.list.map((em) => ({ name: em.def.entitySetName, kind: 'EntitySet', url: em.def.entitySetName })),
        },
      };
    }
    const m = /^([A-Za-z0-9_.$]+)(?:\((.*)\))?$/s.exec(segs[0]);
    if (!m) throw Errors.segmentNotFound(segs[0]);
    const [, name, key] = m;
    if (name === 'WhoAmI' && (key === undefined || key === '') && segs.length === 1) {
      if (method !== 'GET') throw Errors.methodNotAllowed(method);
      return {
        status: 200,
        body: {
          '@odata.context': `${apiUrl}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
          BusinessUnitId: ctx.businessUnitId,
          UserId: ctx.userId,
          OrganizationId: ctx.organizationId,
        },
      };
    }
    const searched = routeSearch(ctx, search, method, name, body);
    if (searched) return searched;
    if (name === 'EntityDefinitions') {
      if (method !== 'GET') throw Errors.methodNotAllowed(method);
      const asked = `${decoded}?${rawQuery}`;
      if (key === undefined) {
        if (segs.length > 1) throw Errors.segmentNotFound(segs[1]);
        return metadataAnswers.answer(asked, () => listEntities(ctx, q));
      }
      const em = findEntity(ctx, key);
      if (segs.length === 1) {
        const audited = audit.tableEnabled(em.def.logicalName);
        return metadataAnswers.answer(`${asked}#audit=${audited}`, () => withTableAuditSetting(audit, em, getEntity(ctx, em, q)));
      }
      return metadataAnswers.answer(asked, () => getEntityNav(ctx, em, segs.slice(1), q));
    }
    const audited = routeAudit(ctx, audit, method, name, key, segs);
    if (audited) return audited;
    const em = model.bySet.get(name);
    if (!em) throw Errors.segmentNotFound(name);
    if (key === undefined) {
      if (segs.length === 2 && segs[1] === '$count' && method === 'GET') return countRecords(ctx, em);
      if (segs.length > 1) throw Errors.segmentNotFound(segs[1]);
      if (method === 'GET') return queryPower(ctx, em, q) ?? listRecords(ctx, em, q);
      if (method === 'POST') return aroundWrite(ctx, audit, em, undefined, body, () => createRecord(ctx, em, body, q));
      throw Errors.methodNotAllowed(method);
    }
    const id = assertGuid(key.replace(/^\{|\}$/g, ''), segs[0]);
    if (segs.length > 1) {
      const rel = routeRelationship(ctx, intersects, em, id, segs.slice(1), method, body, rawQuery);
      if (rel) return rel;
      const prop = segs[1];
      if (method !== 'GET' || segs.length > 2 || !em.props.has(prop)) throw Errors.segmentNotFound(prop);
      const rec = store.get(em.def.logicalName, id);
      if (!rec) throw Errors.notFound(em.def.logicalName, id);
      return {
        status: 200,
        body: { '@odata.context': `${apiUrl}$metadata#${em.def.entitySetName}(${id})/${prop}`, value: rec[prop] ?? null },
      };
    }
    if (method === 'GET') return getRecord(ctx, em, id, q);
    if (method === 'PATCH') {
      const ifMatch = h['if-match'] as string | undefined;
      const ifNoneMatch = h['if-none-match'] as string | undefined;
      return aroundWrite(ctx, audit, em, id, body, () => patchRecord(ctx, em, id, body, q, ifMatch?.trim(), ifNoneMatch?.trim()));
    }
    if (method === 'DELETE') {
      return aroundWrite(ctx, audit, em, id, undefined, () => {
        const result = deleteRecord(ctx, em, id, (h['if-match'] as string | undefined)?.trim());
        intersects.forget(em.def.logicalName, id.toLowerCase());
        return result;
      });
    }
    throw Errors.methodNotAllowed(method);
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const json = (status: number, v?: unknown) =>
      write(
        res,
        status,
        v === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
        v === undefined ? undefined : JSON.stringify(v),
      );
    if (!isLoopback(req.socket.remoteAddress)) return json(403, { error: 'The control API only answers loopback callers.' });
    const text = method === 'POST' || method === 'PUT' ? await readBody(req) : '';
    let body: Record<string, unknown> = {};
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        return json(400, { error: 'The body is not valid JSON.' });
      }
    }
    if (path === '/_emulator/log' && method === 'GET') return json(200, handle.requestLog.entries());
    if (path === '/_emulator/log' && method === 'DELETE') return (handle.requestLog.clear(), json(204));
    if (path === '/_emulator/faults' && method === 'PUT') return (faults.set(body as FaultSettings), json(204));
    if (path === '/_emulator/faults' && method === 'DELETE') return (faults.reset(), json(204));
    if (path === '/_emulator/search' && method === 'PUT') return ((search.enabled = body.enabled !== false), json(204));
    if (path === '/_emulator/audit' && method === 'PUT') return (audit.set(body), json(204));
    if (path === '/_emulator/tokens' && method === 'POST') {
      return json(200, { token: handle.issueToken(typeof body.userId === 'string' ? body.userId : undefined) });
    }
    return json(404, { error: `No control endpoint ${method} ${path}.` });
  }

  async function handleOAuth(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string): Promise<boolean> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (path === '/sandbox/oauth2/authorize' && method === 'GET') {
      const r = auth.authorize(new URLSearchParams(rawQuery));
      write(res, r.status, { ...(r.headers ?? {}), ...(r.contentType ? { 'Content-Type': r.contentType } : {}) }, r.body);
      return true;
    }
    if (path === '/sandbox/oauth2/token' && method === 'POST') {
      const r = auth.token(new URLSearchParams(await readBody(req)));
      write(res, r.status, { ...(r.headers ?? {}), ...(r.contentType ? { 'Content-Type': r.contentType } : {}) }, r.body);
      return true;
    }
    return false;
  }

  const server: Server = createServer({ maxHeaderSize: 96 * 1024 }, (req, res) => {
    const rawUrl = req.url ?? '/';
    if (rawUrl.length > MAX_URL)
      return write(
        res,
        414,
        { 'Content-Type': 'text/html; charset=us-ascii' },
        '<h2>Request URL Too Long</h2><p>HTTP Error 414. The request URL is too long.</p>',
      );
    const qi = rawUrl.indexOf('?');
    const path = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
    const rawQuery = qi < 0 ? '' : rawUrl.slice(qi + 1);
    const run = async () => {
      if (API_PREFIX.test(path)) return handleApi(req, res, rawUrl, path, rawQuery);
      if (path.startsWith('/sandbox/oauth2/') && (await handleOAuth(req, res, path, rawQuery))) return;
      if (options.controlApi && path.startsWith('/_emulator/')) return handleControl(req, res, path);
      write(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Not found');
    };
    run().catch((e) => {
      if (e instanceof ApiError) write(res, e.status, { 'Content-Type': JSON_TYPE }, errorBody(e.code, e.message));
      else {
        log('emulator request failed', { error: String(e) });
        write(res, 500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Internal error');
      }
    });
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  url = `http://${host}:${addr.port}`;
  apiUrl = `${url}/api/data/v9.2/`;
  log('emulator listening', { url });

  let closed = false;
  const handle: EmulatorHandle = {
    url,
    apiUrl,
    sandboxUserId,
    issueToken: (userId) => auth.issue(userId ?? sandboxUserId),
    revokeToken: (token) => auth.revoke(token),
    controls: { set: (f) => faults.set(f), reset: () => faults.reset(), setSearchEnabled: (on) => void (search.enabled = on) },
    audit: { set: (s) => audit.set(s) },
    requestLog: { entries: () => requestLog.map((e) => ({ ...e, headers: { ...e.headers } })), clear: () => void (requestLog = []) },
    store: {
      count(entitySet, filter) {
        const em = model.bySet.get(entitySet);
        if (!em) throw new Error(`Unknown entity set '${entitySet}'`);
        const t = store.table(em.def.logicalName);
        if (!filter) return t.size;
        let n = 0;
        for (const r of t.values()) if (filter({ ...r })) n++;
        return n;
      },
      get(entitySet, id) {
        const em = model.bySet.get(entitySet);
        if (!em) throw new Error(`Unknown entity set '${entitySet}'`);
        const r = store.get(em.def.logicalName, id);
        return r ? structuredClone(r) : undefined;
      },
      list(entitySet, top) {
        const em = model.bySet.get(entitySet);
        if (!em) throw new Error(`Unknown entity set '${entitySet}'`);
        const all = [...store.table(em.def.logicalName).values()];
        const at = (r: Record<string, unknown>) => (typeof r.modifiedon === 'string' ? r.modifiedon : '');
        all.sort((a, b) => at(b).localeCompare(at(a)));
        return { total: all.length, rows: all.slice(0, top).map((r) => structuredClone(r)) };
      },
    },
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
      if (saveTimer) {
        clearTimeout(saveTimer);
        saving = saving.then(save).catch((e) => log('emulator data save failed', { error: String(e) }));
      }
      await saving;
    },
  };
  return handle;
}
