import { runApply } from '../apply/apply';
import { runFetchXml } from '../fetchxml/execute';
import { EntityModel } from '../metadata/registry';
import { QueryOptions } from '../odata/query';
import { runView } from '../views/run';
import { ApiContext, ApiResult } from './context';

/** Collection GETs beyond plain OData: `$apply`, `fetchXml=`, `savedQuery=` and `userQuery=`. Undefined otherwise. */
export function queryPower(ctx: ApiContext, em: EntityModel, q: QueryOptions): ApiResult | undefined {
  const p = q.params;
  const apply = p.get('$apply');
  if (apply !== undefined) return runApply(ctx, em, q, apply);
  const fetchXml = p.get('fetchXml');
  if (fetchXml !== undefined) return runFetchXml(ctx, em, fetchXml);
  const saved = p.get('savedQuery');
  if (saved !== undefined) return runView(ctx, em, 'savedquery', saved);
  const user = p.get('userQuery');
  if (user !== undefined) return runView(ctx, em, 'userquery', user);
  if (em.def.logicalName === 'userquery') {
    // Personal views are visible to their owner only.
    const own = `_ownerid_value eq ${ctx.userId}`;
    q.filter = q.filter === undefined ? own : `(${q.filter}) and ${own}`;
  }
  return undefined;
}
