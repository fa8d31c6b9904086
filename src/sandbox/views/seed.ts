import { nameGuid } from '../metadata/registry';
import { Rec, Store, setLookup } from '../store';
import { viewCatalog } from './catalog';

/** Puts the view catalog into the store: system views as savedquery, personal views as userquery of their owner. */
export function seedViews(store: Store, users: readonly string[], businessUnitId: string, organizationId: string, createdOn: string): void {
  for (const v of viewCatalog()) {
    const personal = v.owner !== undefined;
    const pk = personal ? 'userqueryid' : 'savedqueryid';
    const rec: Rec = {
      [pk]: nameGuid(`${personal ? 'userquery' : 'savedquery'}:${v.table}:${v.name}`),
      name: v.name,
      description: v.description,
      returnedtypecode: v.table,
      querytype: v.querytype,
      fetchxml: v.fetchxml,
      layoutxml: v.layoutxml,
      statecode: 0,
      statuscode: 1,
      createdon: createdOn,
      modifiedon: createdOn,
      importsequencenumber: null,
      overriddencreatedon: null,
      timezoneruleversionnumber: null,
      utcconversiontimezonecode: null,
    };
    const by = users[v.owner ?? 0];
    for (const a of ['createdby', 'modifiedby']) setLookup(rec, a, 'systemuser', by);
    for (const a of ['createdonbehalfby', 'modifiedonbehalfby']) setLookup(rec, a, null, null);
    if (personal) {
      setLookup(rec, 'ownerid', 'systemuser', by);
      setLookup(rec, 'owninguser', 'systemuser', by);
      setLookup(rec, 'owningteam', null, null);
      setLookup(rec, 'owningbusinessunit', 'businessunit', businessUnitId);
    } else {
      rec.isdefault = v.isdefault;
      rec.isquickfindquery = v.isquickfindquery;
      rec.iscustomizable = true;
      rec.organizationid = organizationId;
    }
    store.put(personal ? 'userquery' : 'savedquery', rec);
  }
}

/** A data file written before the view tables existed gets the view catalog on load. */
export function seedViewsIfMissing(store: Store, sandboxUserId: string, businessUnitId: string, organizationId: string): void {
  if (store.table('savedquery').size || store.table('userquery').size) return;
  const others = store.rowsByKey('systemuser').filter((u) => u.systemuserid !== sandboxUserId);
  const users = [sandboxUserId, ...others.map((u) => String(u.systemuserid))];
  const bu = store.get('businessunit', businessUnitId);
  seedViews(store, users, businessUnitId, organizationId, String(bu?.createdon ?? new Date(0).toISOString()));
}
