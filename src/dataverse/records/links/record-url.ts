import { sandboxRecordUrl } from '../../../common/sandbox-record-url';

/**
 * Where a person opens a record: the sandbox record viewer when one runs, otherwise the record's form in the
 * Dataverse app, `<environment URL>/main.aspx?etn=<table>&id=<id>&pagetype=entityrecord`.
 */
export function recordUrl(apiUrl: string, table: string, id: string): string {
  const viewer = sandboxRecordUrl(table, id);
  if (viewer) return viewer;
  if (appBase?.apiUrl !== apiUrl) appBase = { apiUrl, base: apiUrl.replace(/\/api\/data\/v\d+(\.\d+)*\/?$/, '').replace(/\/+$/, '') };
  // Logical names and GUIDs need no escaping (the usual case); anything else is encoded as a form query is.
  if (PLAIN.test(table) && PLAIN.test(id)) return `${appBase.base}/main.aspx?etn=${table}&id=${id}&pagetype=entityrecord`;
  const query = new URLSearchParams({ etn: table, id, pagetype: 'entityrecord' });
  return `${appBase.base}/main.aspx?${query.toString()}`;
}

/** Characters a form-encoded query value keeps as they are (a subset: letters, digits, `-`, `_`, `.`). */
const PLAIN = /^[A-Za-z0-9_.-]+$/;
/** The app's address for the last API URL seen (one per process). */
let appBase: { apiUrl: string; base: string } | undefined;

/** Adds `url` to a formatted record (unless the table has a field of that name), keyed by its primary id. */
export function withRecordUrl(record: Record<string, unknown>, apiUrl: string, table: string, id: unknown): Record<string, unknown> {
  if (typeof id !== 'string' || !id || 'url' in record) return record;
  record.url = recordUrl(apiUrl, table, id);
  return record;
}
