import { ApiError, Errors } from '../errors';
import { runFetchXml } from '../fetchxml/execute';
import { ApiContext, ApiResult } from '../handlers/context';
import { EntityModel } from '../metadata/registry';
import { assertGuid } from '../odata/query';

/** `GET <set>?savedQuery=<id>` and `?userQuery=<id>`: runs the view's FetchXML (a personal view only for its owner). */
export function runView(ctx: ApiContext, em: EntityModel, kind: 'savedquery' | 'userquery', rawId: string): ApiResult {
  const id = assertGuid(rawId.replace(/^\{|\}$/g, ''), kind === 'savedquery' ? 'savedQuery' : 'userQuery');
  const view = ctx.store.get(kind, id);
  if (!view || (kind === 'userquery' && String(view._ownerid_value) !== ctx.userId.toLowerCase())) throw Errors.notFound(kind, id);
  if (view.returnedtypecode !== em.def.logicalName)
    throw new ApiError(
      400,
      '0x80040203',
      `The ${kind} with Id = ${id} returns '${String(view.returnedtypecode)}' records, not '${em.def.logicalName}'; send it to that table's entity set.`,
    );
  if (view.statecode !== 0) throw new ApiError(400, '0x80040203', `The ${kind} with Id = ${id} is inactive.`);
  return runFetchXml(ctx, em, String(view.fetchxml));
}
