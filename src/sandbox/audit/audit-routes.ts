import { ApiError, Errors } from '../errors';
import { ApiContext, ApiResult } from '../handlers/context';
import { shapeContext } from '../handlers/record-read';
import { A } from '../metadata/model';
import { EntityModel } from '../metadata/registry';
import { FV, LLN, formattedValue, primaryName, shapeRecord } from '../odata/format';
import { ORGANIZATION_ID } from '../data/seed';
import { Rec } from '../store';
import { AUDIT_ACTIONS, AuditEntry, AuditTrail } from './audit-trail';
import { MAX_UPLOAD_FILE_SIZE } from '../notes/note-fields';

/**
 * Web API surface of auditing: `RetrieveRecordChangeHistory` (documented shape: AttributeAuditDetail items with
 * OldValue/NewValue and no AuditRecord), the `audits` entity set (who/when), the organization row with
 * `isauditenabled`, and `IsAuditEnabled` in table definitions. Returns undefined for requests that are not its own.
 */
export function routeAudit(
  ctx: ApiContext,
  audit: AuditTrail,
  method: string,
  name: string,
  key: string | undefined,
  segs: string[],
): ApiResult | undefined {
  const mine = name === 'RetrieveRecordChangeHistory' || name === 'audits' || (name === 'organizations' && !ctx.model.bySet.has(name));
  if (!mine) return undefined;
  if (method !== 'GET') throw Errors.methodNotAllowed(method);
  if (segs.length > 1) throw Errors.segmentNotFound(segs[1]);
  const params = new URLSearchParams(ctx.rawQuery);
  if (name === 'RetrieveRecordChangeHistory') return changeHistory(ctx, audit, key ?? '', params);
  if (name === 'audits') return auditRows(ctx, audit, key, params);
  return organizations(ctx, audit, key, params);
}

/** `IsAuditEnabled` of a table definition reflects the emulator's per-table switch. */
export function withTableAuditSetting(audit: AuditTrail, em: EntityModel, result: ApiResult): ApiResult {
  const body = result.body as Rec | undefined;
  const flag = body?.IsAuditEnabled as Rec | undefined;
  // A new object: the rendered definition is shared by every answer (handlers/metadata.ts).
  if (body && flag && typeof flag === 'object') body.IsAuditEnabled = { ...flag, Value: audit.tableEnabled(em.def.logicalName) };
  return result;
}

function missingPrivilege(ctx: ApiContext, privilege: string): ApiError {
  return new ApiError(
    403,
    '0x80040220',
    `Principal user (Id=${ctx.userId}, type=8, roleCount=1, lastRoleUpdate=1/6/2025 9:00:00 AM) is missing ${privilege} privilege ` +
      `(Id=00000000-0000-0000-0000-000000000000) on OTC=4567 for entity 'audit'.`,
  );
}

function parseAlias(value: string | null, what: string): unknown {
  if (value === null) throw Errors.badRequest(`The parameter '${what}' of RetrieveRecordChangeHistory is missing.`, '0x80060888');
  try {
    return JSON.parse(value.replace(/'/g, '"'));
  } catch {
    throw Errors.badRequest(`The value of the parameter '${what}' is not valid JSON.`, '0x80060888');
  }
}

function changeHistory(ctx: ApiContext, audit: AuditTrail, key: string, params: URLSearchParams): ApiResult {
  const args = new Map(
    key
      .split(',')
      .map((p) => p.split('='))
      .map(([k, v]) => [k?.trim(), v?.trim()] as const),
  );
  const alias = (k: string) => {
    const v = args.get(k);
    return v?.startsWith('@') ? params.get(v) : (v ?? null);
  };
  const target = parseAlias(alias('Target'), 'Target') as Rec;
  const ref =
    typeof target?.['@odata.id'] === 'string' ? /^\/?([A-Za-z0-9_]+)\(\{?([0-9a-fA-F-]{36})\}?\)$/.exec(target['@odata.id']) : null;
  if (!ref) throw Errors.badRequest("Target must be an entity reference: {'@odata.id':'<entityset>(<id>)'}.", '0x80060888');
  const em = ctx.model.bySet.get(ref[1]);
  if (!em) throw Errors.segmentNotFound(ref[1]);
  const id = ref[2].toLowerCase();
  if (audit.denies('prvReadRecordAuditHistory')) throw missingPrivilege(ctx, 'prvReadRecordAuditHistory');
  const entries = audit.forRecord(id);
  if (!entries.length && !ctx.store.get(em.def.logicalName, id)) throw Errors.notFound(em.def.logicalName, id);
  const paging = (args.has('PagingInfo') ? parseAlias(alias('PagingInfo'), 'PagingInfo') : {}) as Rec;
  const count = Math.min(Math.max(Number(paging.Count) || 5000, 1), 5000);
  const page = Math.max(Number(paging.PageNumber) || 1, 1);
  const slice = entries.slice((page - 1) * count, page * count);
  const more = entries.length > page * count;
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.apiUrl}$metadata#Microsoft.Dynamics.CRM.RetrieveRecordChangeHistoryResponse`,
      AuditDetailCollection: {
        MoreRecords: more,
        PagingCookie: `<cookie page="${page}"><auditid last="{${slice.at(-1)?.auditid.toUpperCase() ?? ''}}" /></cookie>`,
        TotalRecordCount: paging.ReturnTotalRecordCount ? entries.length : -1,
        AuditDetails: slice.map((e) => detail(ctx, em, e)),
      },
    },
  };
}

function detail(ctx: ApiContext, em: EntityModel, e: AuditEntry): Rec {
  if (e.action === AUDIT_ACTIONS.delete) return { '@odata.type': '#Microsoft.Dynamics.CRM.AuditDetail' };
  const values = (v: Rec): Rec => {
    const props = Object.keys(v).filter((k) => !k.includes('@'));
    const shaped = shapeRecord(em, v, props, shapeContext(ctx));
    delete shaped['@odata.etag'];
    if (!props.includes(em.def.primaryIdAttribute)) delete shaped[em.def.primaryIdAttribute];
    return { '@odata.type': `#Microsoft.Dynamics.CRM.${em.def.logicalName}`, ...shaped };
  };
  return {
    '@odata.type': '#Microsoft.Dynamics.CRM.AttributeAuditDetail',
    DeletedAttributes: [],
    InvalidNewValueAttributes: [],
    LocLabelLanguageCode: 0,
    OldValue: values(e.oldValue),
    NewValue: values(e.newValue),
  };
}

const ACTION = A.choice('action', 'Event', '1:Create|2:Update|3:Delete');
const OPERATION = A.choice('operation', 'Operation', '1:Create|2:Update|3:Delete|4:Access');
const CREATED_ON = A.date('createdon', 'Changed Date');
const AUDIT_PROPS = ['auditid', 'createdon', '_userid_value', '_objectid_value', 'objecttypecode', 'action', 'operation'];

/** `audits?$select=...&$filter=_objectid_value eq <id>&$orderby=createdon desc` (the filter and order forms the server uses). */
function auditRows(ctx: ApiContext, audit: AuditTrail, key: string | undefined, params: URLSearchParams): ApiResult {
  if (audit.denies('prvReadAuditSummary')) throw missingPrivilege(ctx, 'prvReadAuditSummary');
  const select = (params.get('$select') ?? AUDIT_PROPS.join(',')).split(',').map((s) => s.trim());
  for (const s of select) if (!AUDIT_PROPS.includes(s)) throw Errors.propertyNotFound(s, 'Microsoft.Dynamics.CRM.audit');
  let rows: AuditEntry[];
  if (key !== undefined) {
    rows = audit.entries.filter((e) => e.auditid === key.replace(/[{}]/g, '').toLowerCase());
    if (!rows.length) throw Errors.notFound('audit', key);
  } else {
    const filter = params.get('$filter');
    const m = filter ? /^\s*_objectid_value\s+eq\s+\{?([0-9a-fA-F-]{36})\}?\s*$/.exec(filter) : null;
    if (filter && !m) throw Errors.query(`The emulator's audits set supports only $filter=_objectid_value eq <guid>, not '${filter}'.`);
    rows = m ? audit.forRecord(m[1]) : [...audit.entries].reverse();
    const order = params.get('$orderby');
    if (order && !/^createdon( desc| asc)?$/.test(order.trim())) throw Errors.query(`Unsupported $orderby '${order}' on audits.`);
    if (order && !/desc/.test(order)) rows = [...rows].reverse();
    const top = Math.min(Number(params.get('$top')) || ctx.prefer.maxPageSize || 5000, 5000);
    rows = rows.slice(0, top);
  }
  const value = rows.map((e) => auditRow(ctx, e, select));
  if (key !== undefined) return { status: 200, body: { '@odata.context': `${ctx.apiUrl}$metadata#audits/$entity`, ...value[0] } };
  return { status: 200, body: { '@odata.context': `${ctx.apiUrl}$metadata#audits(${select.join(',')})`, value } };
}

function auditRow(ctx: ApiContext, e: AuditEntry, select: string[]): Rec {
  const sc = shapeContext(ctx);
  const ann = sc.ann;
  const out: Rec = {};
  const put = (prop: string, v: unknown, fv?: string, table?: string) => {
    if (!select.includes(prop)) return;
    if (ann && table && ann(LLN)) out[`${prop}@${LLN}`] = table;
    if (ann && fv !== undefined && ann(FV)) out[`${prop}@${FV}`] = fv;
    out[prop] = v;
  };
  put('createdon', e.createdon, formattedValue(CREATED_ON, e.createdon, ctx.timeZone));
  put('_userid_value', e.userid, primaryName(sc, 'systemuser', e.userid), 'systemuser');
  put('_objectid_value', e.objectid, primaryName(sc, e.objecttypecode, e.objectid), e.objecttypecode);
  put('objecttypecode', e.objecttypecode);
  put('action', e.action, formattedValue(ACTION, e.action, ctx.timeZone));
  put('operation', e.action, formattedValue(OPERATION, e.action, ctx.timeZone));
  out.auditid = e.auditid;
  return out;
}

/** The single organization row with the auditing and upload settings. */
function organizations(ctx: ApiContext, audit: AuditTrail, key: string | undefined, params: URLSearchParams): ApiResult {
  const row: Rec = {
    organizationid: ORGANIZATION_ID,
    name: 'sandbox',
    isauditenabled: audit.environmentEnabled,
    auditretentionperiodv2: 30,
    isuseraccessauditenabled: false,
    maxuploadfilesize: MAX_UPLOAD_FILE_SIZE,
  };
  const select = params
    .get('$select')
    ?.split(',')
    .map((s) => s.trim());
  for (const s of select ?? []) if (!(s in row)) throw Errors.propertyNotFound(s, 'Microsoft.Dynamics.CRM.organization');
  const shaped: Rec = { '@odata.etag': 'W/"1"' };
  for (const k of select ?? Object.keys(row)) shaped[k] = row[k];
  shaped.organizationid = ORGANIZATION_ID;
  if (key !== undefined) {
    if (key.replace(/[{}]/g, '').toLowerCase() !== ORGANIZATION_ID) throw Errors.notFound('organization', key);
    return { status: 200, body: { '@odata.context': `${ctx.apiUrl}$metadata#organizations/$entity`, ...shaped } };
  }
  return { status: 200, body: { '@odata.context': `${ctx.apiUrl}$metadata#organizations`, value: [shaped] } };
}
