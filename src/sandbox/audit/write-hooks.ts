import { ApiContext, ApiResult } from '../handlers/context';
import { EntityModel } from '../metadata/registry';
import { checkNoteUpload, noteFileFields } from '../notes/note-fields';
import { Rec } from '../store';
import { AuditTrail } from './audit-trail';

/**
 * Runs one create / update / upsert / delete and then does what the platform does around it:
 * derives a note's file fields, and writes the audit entry from the record as it was before and after.
 * `id` is undefined for a POST (the new id is read from `OData-EntityId`).
 */
export function aroundWrite(
  ctx: ApiContext,
  audit: AuditTrail,
  em: EntityModel,
  id: string | undefined,
  body: unknown,
  write: () => ApiResult,
): ApiResult {
  const table = em.def.logicalName;
  if (table === 'annotation') checkNoteUpload(body);
  const existing = id ? ctx.store.get(table, id) : undefined;
  const before = existing ? structuredClone(existing) : undefined;
  const result = write();
  const entityId = result.headers?.['OData-EntityId'];
  const newId = id ?? (entityId ? /\(([0-9a-f-]{36})\)$/i.exec(entityId)?.[1] : undefined);
  const after = newId ? ctx.store.get(table, newId) : undefined;
  if (after && table === 'annotation') {
    const derived = noteFileFields(after);
    Object.assign(after, derived);
    const shaped = result.body as Rec | undefined;
    if (shaped) for (const [k, v] of Object.entries(derived)) if (k in shaped) shaped[k] = v;
  }
  audit.record(em, ctx.userId, before, after);
  return result;
}
