import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AttrDef } from '../metadata/model';
import { EntityModel, getModel, propName } from '../metadata/registry';
import { LOOKUP_TYPE } from '../store';
import type { EmulatorHandle } from '../types';
import { esc, page, seg } from './html';

/** Rows shown on a table's page. */
const PAGE_ROWS = 200;
/** Columns shown beside the primary name on a table's page, when the table has them. */
const LIST_COLUMNS = [
  'emailaddress1',
  'telephone1',
  'accountnumber',
  'jobtitle',
  'parentcustomerid',
  'scheduledstart',
  'statuscode',
  'ownerid',
];
const MAX_LIST_COLUMNS = 4;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Rec = Record<string, unknown>;
type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * The sandbox record viewer: read-only, server-rendered pages of the emulator's tables and records, mounted under
 * `/sandbox` on the MCP port. `/` lists the tables, `/<table>/` its records, `/<table>/<id>` one record's fields
 * with their labels. Every value is HTML-escaped; the pages load nothing from elsewhere (CSP `default-src 'none'`).
 */
export function createSandboxViewer(emulator: Pick<EmulatorHandle, 'store'>): Handler {
  const model = getModel();
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, page('Not allowed', [], '<p>The viewer is read-only.</p>'));
    const path = (req.url ?? '/').split('?')[0];
    let parts: string[];
    try {
      parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return send(res, 400, page('Bad address', [['Tables', '/sandbox/']], '<p class="empty">This address is not valid.</p>'));
    }
    const em = parts[0] ? model.entities.get(parts[0].toLowerCase()) : undefined;
    if (parts.length === 0) return send(res, 200, tablesPage(model.list, emulator));
    if (!em || parts.length > 2) return send(res, 404, notFound(`There is no table "${parts[0]}" in the sandbox.`));
    if (parts.length === 1) return send(res, 200, tablePage(em, emulator));
    const id = parts[1].toLowerCase();
    const rec = GUID.test(id) ? emulator.store.get(em.def.entitySetName, id) : undefined;
    if (!rec)
      return send(res, 404, notFound(`There is no ${em.def.displayName.toLowerCase()} with id ${id}: it may have been deleted.`, em));
    send(res, 200, recordPage(em, id, rec, emulator));
  };
}

function send(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

function notFound(message: string, em?: EntityModel): string {
  const crumbs: Array<[string, string?]> = [['Tables', '/sandbox/']];
  if (em) crumbs.push([em.def.displayCollectionName, `/sandbox/${seg(em.def.logicalName)}/`]);
  return page('Not found', crumbs, `<h1>Not found</h1><p class="empty">${esc(message)}</p>`);
}

function tablesPage(list: EntityModel[], emulator: Pick<EmulatorHandle, 'store'>): string {
  const rows = [...list]
    .sort((a, b) => Number(b.def.isCustom) - Number(a.def.isCustom) || a.def.displayName.localeCompare(b.def.displayName))
    .map((em) => {
      const n = emulator.store.count(em.def.entitySetName);
      return (
        `<tr><td><a href="/sandbox/${seg(em.def.logicalName)}/">${esc(em.def.displayName)}</a>${em.def.isCustom ? '<span class="tag">custom</span>' : ''}</td>` +
        `<td><code>${esc(em.def.logicalName)}</code></td><td class="num">${n}</td></tr>`
      );
    });
  return page(
    'Tables',
    [['Tables']],
    '<h1>Tables</h1><p class="sub">The tables of the sandbox and how many records each holds.</p>' +
      `<table><thead><tr><th>Table</th><th>Logical name</th><th>Records</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  );
}

function tablePage(em: EntityModel, emulator: Pick<EmulatorHandle, 'store'>): string {
  const { total, rows } = emulator.store.list(em.def.entitySetName, PAGE_ROWS);
  const columns = LIST_COLUMNS.map((c) => em.attrs.get(c))
    .filter((a): a is AttrDef => !!a && a.validForRead)
    .slice(0, MAX_LIST_COLUMNS);
  const modified = em.attrs.get('modifiedon');
  const head = ['Name', ...columns.map((a) => a.label), ...(modified ? [modified.label] : [])];
  const body = rows.map((r) => {
    const id = String(r[em.def.primaryIdAttribute] ?? '');
    const cells = [
      `<a href="/sandbox/${seg(em.def.logicalName)}/${seg(id)}">${esc(primaryName(em, r) || id)}</a>`,
      ...columns.map((a) => display(a, r, emulator).html),
      ...(modified ? [esc(r.modifiedon ?? '')] : []),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  const shown =
    total > rows.length
      ? `The ${rows.length} most recently modified of ${total} records.`
      : `${total} record${total === 1 ? '' : 's'}, most recently modified first.`;
  return page(
    em.def.displayCollectionName,
    [['Tables', '/sandbox/'], [em.def.displayCollectionName]],
    `<h1>${esc(em.def.displayCollectionName)} <code>${esc(em.def.logicalName)}</code></h1>` +
      `<p class="sub">${shown}</p>` +
      (rows.length
        ? `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`
        : '<p class="empty">No records.</p>'),
  );
}

function recordPage(em: EntityModel, id: string, rec: Rec, emulator: Pick<EmulatorHandle, 'store'>): string {
  const attrs = em.def.attributes.filter((a) => a.validForRead && !a.attributeOf && a.type !== 'Virtual');
  let empty = 0;
  const rows: string[] = [];
  for (const a of attrs) {
    const shown = display(a, rec, emulator);
    if (shown.empty) {
      empty++;
      continue;
    }
    rows.push(`<tr><td>${esc(a.label)}</td><td><code>${esc(a.logicalName)}</code></td><td class="value">${shown.html}</td></tr>`);
  }
  const name = primaryName(em, rec);
  return page(
    name || id,
    [['Tables', '/sandbox/'], [em.def.displayCollectionName, `/sandbox/${seg(em.def.logicalName)}/`], [name || id]],
    `<h1>${esc(name || id)}</h1><p class="sub">${esc(em.def.displayName)} · <span class="mono">${esc(id)}</span></p>` +
      `<table><thead><tr><th>Field</th><th>Logical name</th><th>Value</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
      `<p class="sub">${empty} field${empty === 1 ? '' : 's'} without a value not shown.</p>`,
  );
}

function primaryName(em: EntityModel, rec: Rec): string {
  const attr = em.def.primaryNameAttribute;
  const v = attr ? rec[attr] : undefined;
  return typeof v === 'string' ? v : '';
}

/** A field's value as HTML: labels for choices and yes/no, the related record's name (linked) for lookups. */
function display(a: AttrDef, rec: Rec, emulator: Pick<EmulatorHandle, 'store'>): { html: string; empty: boolean } {
  const value = rec[propName(a)];
  if (value === null || value === undefined || value === '') return { html: '', empty: true };
  const raw = (v: unknown) => `<span class="raw">${esc(v)}</span>`;
  switch (a.type) {
    case 'Lookup':
    case 'Customer':
    case 'Owner': {
      const table = rec[`${propName(a)}${LOOKUP_TYPE}`];
      const target = typeof table === 'string' ? getModel().entities.get(table) : undefined;
      if (!target) return { html: esc(value), empty: false };
      const related = emulator.store.get(target.def.entitySetName, String(value));
      const label = related ? primaryName(target, related) || String(value) : `${String(value)} (not found)`;
      return {
        html: `<a href="/sandbox/${seg(target.def.logicalName)}/${seg(String(value))}">${esc(label)}</a>${raw(target.def.logicalName)}`,
        empty: false,
      };
    }
    case 'Picklist':
    case 'State':
    case 'Status': {
      const values = String(value).split(',');
      const labels = values.map((v) => a.options?.find((o) => o.value === Number(v))?.label ?? v);
      return { html: `${esc(labels.join(', '))}${raw(value)}`, empty: false };
    }
    case 'Boolean': {
      const label = a.booleanLabels ? a.booleanLabels[value ? 1 : 0] : String(value);
      return { html: `${esc(label)}${raw(value)}`, empty: false };
    }
    default:
      return { html: esc(typeof value === 'object' ? JSON.stringify(value) : value), empty: false };
  }
}
