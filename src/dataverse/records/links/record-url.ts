import { sandboxRecordUrl } from '../../../common/sandbox-record-url';

/**
 * Where a person opens a record: the sandbox record viewer when one runs, otherwise the record's form in the
 * Dataverse app, `<environment URL>/main.aspx?etn=<table>&id=<id>&pagetype=entityrecord`.
 */
export function recordUrl(apiUrl: string, table: string, id: string): string {
  const viewer = sandboxRecordUrl(table, id);
  if (viewer) return viewer;
  const base = apiUrl.replace(/\/api\/data\/v\d+(\.\d+)*\/?$/, '').replace(/\/+$/, '');
  const query = new URLSearchParams({ etn: table, id, pagetype: 'entityrecord' });
  return `${base}/main.aspx?${query.toString()}`;
}

/** Adds `url` to a formatted record (unless the table has a field of that name), keyed by its primary id. */
export function withRecordUrl(record: Record<string, unknown>, apiUrl: string, table: string, id: unknown): Record<string, unknown> {
  if (typeof id !== 'string' || !id || 'url' in record) return record;
  record.url = recordUrl(apiUrl, table, id);
  return record;
}
