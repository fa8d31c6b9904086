import { xmlEscape } from '../fetchxml/xml';
import { Cond, TABLES, TableSpec, active, mine } from './tables';

/** The system and personal views of the sample tables, in the shapes the app stores them (fetchxml + layoutxml). */

export const QueryType = { public: 0, advancedFind: 1, associated: 2, quickFind: 4, lookup: 64 } as const;

export interface ViewDef {
  table: string;
  name: string;
  description: string;
  querytype: number;
  isdefault: boolean;
  isquickfindquery: boolean;
  fetchxml: string;
  layoutxml: string;
  /** Personal views only: who owns it ('sandbox' or another user's index in USERS). */
  owner?: number;
}

const condXml = (c: Cond) =>
  c.values
    ? `<condition attribute="${c.attribute}" operator="${c.operator}">${c.values.map((v) => `<value>${xmlEscape(v)}</value>`).join('')}</condition>`
    : `<condition attribute="${c.attribute}" operator="${c.operator}"${c.value !== undefined ? ` value="${xmlEscape(c.value)}"` : ''} />`;

function fetchXml(s: TableSpec, conditions: Cond[], quickFind?: string[], order = s.order): string {
  const own = s.cells.filter(([c]) => !c.includes('.')).map(([c]) => c);
  const attrs = [...own, ...(own.includes(s.pk) ? [] : [s.pk])].map((a) => `<attribute name="${a}" />`).join('');
  const links = (s.links ?? [])
    .map(
      (l) =>
        `<link-entity alias="${l.alias}" name="${l.name}" from="${l.from}" to="${l.to}" link-type="outer" visible="false"><attribute name="${l.attribute}" /></link-entity>`,
    )
    .join('');
  const filter = conditions.length ? `<filter type="and">${conditions.map(condXml).join('')}</filter>` : '';
  const qf = quickFind
    ? `<filter type="or" isquickfindfields="1">${quickFind.map((a) => `<condition attribute="${a}" operator="like" value="{0}" />`).join('')}</filter>`
    : '';
  return (
    `<fetch version="1.0" output-format="xml-platform" mapping="logical" distinct="false"><entity name="${s.table}">${attrs}` +
    `<order attribute="${order[0]}" descending="${order[1]}" />${filter}${qf}${links}</entity></fetch>`
  );
}

function layoutXml(s: TableSpec, cells = s.cells): string {
  return (
    `<grid name="resultset" object="${s.otc}" jump="${cells[0][0]}" select="1" icon="1" preview="1"><row name="result" id="${s.pk}">` +
    `${cells.map(([c, w]) => `<cell name="${c}" width="${w}" />`).join('')}</row></grid>`
  );
}

const view = (s: TableSpec, name: string, description: string, fetchxml: string, o: Partial<ViewDef> = {}): ViewDef => ({
  table: s.table,
  name,
  description,
  querytype: QueryType.public,
  isdefault: false,
  isquickfindquery: false,
  fetchxml,
  layoutxml: layoutXml(s),
  ...o,
});

/** Every system view (savedquery) and personal view (userquery) of the sample data. */
export function viewCatalog(): ViewDef[] {
  const out: ViewDef[] = [];
  for (const s of TABLES) {
    const p = s.plural.toLowerCase();
    out.push(view(s, s.active.name, `Default public view of ${p}.`, fetchXml(s, s.active.conditions), { isdefault: true }));
    if (s.mine)
      out.push(
        view(
          s,
          s.mine,
          `The ${p} I own that are ${s.active.name.split(' ')[0].toLowerCase()}.`,
          fetchXml(s, [...s.active.conditions, mine]),
        ),
      );
    if (s.inactive) out.push(view(s, s.inactive.name, `${s.inactive.name}.`, fetchXml(s, s.inactive.conditions)));
    out.push(
      view(s, `Quick Find ${s.active.name}`, `Quick find view of ${p}.`, fetchXml(s, s.active.conditions, s.quickFind), {
        querytype: QueryType.quickFind,
        isquickfindquery: true,
      }),
    );
    const lookupCells = s.cells.slice(0, 2).filter(([c]) => !c.includes('.'));
    out.push(
      view(
        s,
        `${s.plural.replace(/s$/, '')} Lookup View`,
        `Lookup view of ${p}.`,
        fetchXml({ ...s, cells: lookupCells, links: [] }, s.active.conditions),
        {
          querytype: QueryType.lookup,
          layoutxml: layoutXml(s, lookupCells),
        },
      ),
    );
  }
  const opp = TABLES.find((t) => t.table === 'opportunity')!;
  out.push(
    view(
      opp,
      'My Big Open Deals',
      'Open opportunities worth $100,000 or more.',
      fetchXml(opp, [active, { attribute: 'estimatedvalue', operator: 'ge', value: '100000' }], undefined, ['estimatedvalue', true]),
      { owner: 0 },
    ),
  );
  const lead = TABLES.find((t) => t.table === 'lead')!;
  out.push(
    view(
      lead,
      'Hot Leads',
      'Open leads rated hot.',
      fetchXml(lead, [active, { attribute: 'leadqualitycode', operator: 'eq', value: '1' }]),
      { owner: 0 },
    ),
  );
  const account = TABLES.find((t) => t.table === 'account')!;
  out.push(
    view(
      account,
      'Accounts in Seattle',
      'Active accounts in Seattle.',
      fetchXml(account, [active, { attribute: 'address1_city', operator: 'eq', value: 'Seattle' }]),
      {
        owner: 1,
      },
    ),
  );
  return out;
}
