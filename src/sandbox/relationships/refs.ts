import { ApiError, Errors } from '../errors';
import { ApiContext, ApiResult } from '../handlers/context';
import { EntityModel } from '../metadata/registry';
import { setLookup } from '../store';
import { IntersectTables, manyToManyOf } from './many-to-many';

/**
 * Associate / disassociate through collection-valued navigation properties:
 * `POST <set>(<id>)/<nav>/$ref {"@odata.id": "<absolute url of the related record>"}`,
 * `DELETE <set>(<id>)/<nav>(<relatedId>)/$ref` or `DELETE <set>(<id>)/<nav>/$ref?$id=<absolute url>`,
 * and `GET <set>(<id>)/<nav>` for the related records. N:N writes the intersect table; 1:N sets or clears the
 * related record's lookup. Returns undefined when the path is not a relationship path.
 */
export function routeRelationship(
  ctx: ApiContext,
  intersects: IntersectTables,
  em: EntityModel,
  id: string,
  segs: string[],
  method: string,
  body: unknown,
  rawQuery: string,
): ApiResult | undefined {
  const m = /^([A-Za-z0-9_]+)(?:\(\{?([0-9a-fA-F-]{36})\}?\))?$/.exec(segs[0]);
  if (!m) return undefined;
  const [, nav, keyId] = m;
  const nn = manyToManyOf(em.def.logicalName).find((x) => x.nav === nav);
  const oneToMany = em.collectionNavs.get(nav);
  const isRef = segs[1] === '$ref' && segs.length === 2;
  if (!nn && !oneToMany) {
    if (isRef) throw new ApiError(400, '0x8006088a', `The URI segment '$ref' is invalid after the segment '${nav}'.`);
    return undefined;
  }
  const other = nn ? nn.other : oneToMany!.child;
  const otherModel = ctx.model.entities.get(other)!;
  if (!ctx.store.get(em.def.logicalName, id)) throw Errors.notFound(em.def.logicalName, id);

  if (segs.length === 1 && !keyId && method === 'GET') {
    const ids = nn
      ? intersects.related(nn.rel, em.def.logicalName, id)
      : [...ctx.store.table(other).values()]
          .filter((r) => r[`_${oneToMany!.attr.logicalName}_value`] === id)
          .map((r) => String(r[otherModel.def.primaryIdAttribute]));
    const pk = otherModel.def.primaryIdAttribute;
    const name = otherModel.def.primaryNameAttribute;
    return {
      status: 200,
      body: {
        '@odata.context': `${ctx.apiUrl}$metadata#${otherModel.def.entitySetName}(${pk}${name ? `,${name}` : ''})`,
        value: ids.map((rid) => {
          const r = ctx.store.get(other, rid)!;
          return { [pk]: rid, ...(name ? { [name]: r[name] ?? null } : {}) };
        }),
      },
    };
  }
  if (!isRef) throw Errors.segmentNotFound(segs[segs.length - 1]);

  let relatedId: string;
  if (method === 'POST' && !keyId) {
    relatedId = idFromUrl(ctx, otherModel, (body as Record<string, unknown> | undefined)?.['@odata.id']);
  } else if (method === 'DELETE') {
    const q = new URLSearchParams(rawQuery).get('$id');
    relatedId = keyId ? keyId.toLowerCase() : idFromUrl(ctx, otherModel, q ?? undefined);
  } else throw Errors.methodNotAllowed(method);

  if (method === 'POST') {
    if (!ctx.store.get(other, relatedId)) throw Errors.notFound(other, relatedId);
    if (nn) {
      if (intersects.has(nn.rel, em.def.logicalName, id, relatedId)) throw new ApiError(400, '0x80040237', 'Cannot insert duplicate key.');
      intersects.add(nn.rel, em.def.logicalName, id, relatedId);
    } else {
      const child = ctx.store.get(other, relatedId)!;
      setLookup(child, oneToMany!.attr.logicalName, em.def.logicalName, id);
      ctx.store.put(other, child);
    }
    ctx.store.changed();
    return { status: 204 };
  }
  if (nn) intersects.remove(nn.rel, em.def.logicalName, id, relatedId);
  else {
    const child = ctx.store.get(other, relatedId);
    if (!child) throw Errors.notFound(other, relatedId);
    if (child[`_${oneToMany!.attr.logicalName}_value`] === id) {
      setLookup(child, oneToMany!.attr.logicalName, null, null);
      ctx.store.put(other, child);
    }
  }
  ctx.store.changed();
  return { status: 204 };
}

/** The id in an absolute `@odata.id` URL of a record of `em` in this environment. */
function idFromUrl(ctx: ApiContext, em: EntityModel, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith(ctx.apiUrl)) {
    throw Errors.badRequest(
      `The @odata.id '${String(value ?? '').slice(0, 120)}' must be the absolute URL of a ${em.def.logicalName} record in this environment, e.g. ${ctx.apiUrl}${em.def.entitySetName}(<id>).`,
    );
  }
  const m = /^([A-Za-z0-9_]+)\(\{?([0-9a-fA-F-]{36})\}?\)$/.exec(value.slice(ctx.apiUrl.length));
  if (!m || m[1] !== em.def.entitySetName) {
    throw Errors.badRequest(
      `The @odata.id '${value.slice(0, 120)}' does not point to a ${em.def.logicalName} record (${em.def.entitySetName}(<id>)).`,
    );
  }
  return m[2].toLowerCase();
}
