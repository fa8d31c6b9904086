import { ToolError } from '../../common/tool-error';
import type { TableSchema } from '../metadata/schema-format';
import { didYouMean, fieldMap, lookupOfValueName, nearFields } from './field-names';
import { parseXml, XmlElement, XmlLimits } from './xml';

/**
 * FetchXML from the model, checked before it is sent: well-formed and bounded, root entity = the table, every
 * entity, link-entity and attribute known to the schema (with "did you mean"), and nothing that stops the server
 * from paging it (paging is ours: `top` and `cursor`).
 */

export const FETCHXML_LIMITS: XmlLimits = { maxLength: 30_000, maxDepth: 12, maxElements: 1_000 };
export const MAX_LINK_ENTITIES = 15;

const ELEMENTS = new Set(['entity', 'link-entity', 'attribute', 'all-attributes', 'order', 'filter', 'condition', 'value']);
/** <fetch> attributes that would fight our paging, with what to do instead. */
const PAGING_OPTIONS: Record<string, string> = {
  top: 'use the top parameter of list_records instead of <fetch top>',
  count: 'use the top parameter of list_records instead of <fetch count>',
  page: 'page with cursor instead of <fetch page>',
  'paging-cookie': 'page with cursor instead of <fetch paging-cookie>',
  aggregate: 'call aggregate_records for counts, sums and averages',
};

export type SchemaLoader = (table: string) => Promise<TableSchema>;

export interface CheckedFetch {
  root: XmlElement;
  /** link-entity alias → its table */
  aliases: Map<string, string>;
}

export async function checkFetchXml(source: string, table: TableSchema, schemaOf: SchemaLoader): Promise<CheckedFetch> {
  const root = parseXml(source.trim(), FETCHXML_LIMITS);
  if (root.name !== 'fetch') throw bad(`the root element is <${root.name}>; it must be <fetch>.`);
  for (const [attr, fix] of Object.entries(PAGING_OPTIONS)) {
    if (attr in root.attrs && !(attr === 'aggregate' && root.attrs[attr] === 'false'))
      throw bad(`<fetch ${attr}> is not supported here: ${fix}.`);
  }
  const entities = root.children.filter((c) => c.name === 'entity');
  if (entities.length !== 1 || root.children.length !== 1) throw bad('<fetch> must contain exactly one <entity> element.');
  const entity = entities[0];
  if (entity.attrs.name !== table.logicalName) {
    throw bad(`the root <entity name="${entity.attrs.name ?? ''}"> must be the table of the call, "${table.logicalName}".`);
  }
  const aliases = new Map<string, string>();
  let links = 0;
  const pendingConditions: Array<{ alias: string; attribute: string }> = [];

  const walk = async (el: XmlElement, schema: TableSchema, parentSchema?: TableSchema): Promise<void> => {
    const need = (name: string | undefined, what: string, on: TableSchema = schema) => {
      if (!name) throw bad(`<${what}> needs a name attribute.`);
      const f = fieldMap(on);
      if (f.has(name)) return;
      const valueOf = lookupOfValueName(name, f);
      if (valueOf) throw bad(`attribute "${name}" of ${on.logicalName}: FetchXML names lookups by their logical name, "${valueOf.name}".`);
      throw bad(
        `${on.logicalName} has no attribute "${name}" (in <${what}>).${didYouMean(nearFields(name, on.fields))} ` +
          `Call get_table_schema with table "${on.logicalName}" for the names.`,
      );
    };
    if (el.name === 'link-entity') {
      if (++links > MAX_LINK_ENTITIES) throw bad(`more than ${MAX_LINK_ENTITIES} link-entity elements (the service's limit).`);
      if (!el.attrs.from || !el.attrs.to) throw bad(`<link-entity name="${el.attrs.name ?? ''}"> needs from and to attributes.`);
      need(el.attrs.from, 'link-entity from', schema);
      if (parentSchema) need(el.attrs.to, 'link-entity to', parentSchema);
      const alias = el.attrs.alias ?? el.attrs.name;
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,49}$/.test(alias)) throw bad(`link-entity alias "${alias}" must be letters, digits and underscores.`);
      if (aliases.has(alias)) throw bad(`the link-entity alias "${alias}" is used twice.`);
      el.attrs.alias = alias; // linked columns come back as <alias>.<field>
      aliases.set(alias, schema.logicalName);
    }
    for (const child of el.children) {
      if (!ELEMENTS.has(child.name)) throw bad(`<${child.name}> is not a FetchXML element here.`);
      switch (child.name) {
        case 'attribute':
          need(child.attrs.name, 'attribute');
          if (child.attrs.aggregate || child.attrs.groupby)
            throw bad('aggregate attributes belong in aggregate_records, not list_records.');
          break;
        case 'order':
          if (child.attrs.alias) throw bad('<order alias> is for aggregate queries; order by attribute.');
          need(child.attrs.attribute, 'order');
          break;
        case 'condition':
          if (child.attrs.entityname) pendingConditions.push({ alias: child.attrs.entityname, attribute: child.attrs.attribute ?? '' });
          else need(child.attrs.attribute, 'condition');
          if (!child.attrs.operator) throw bad(`<condition attribute="${child.attrs.attribute ?? ''}"> needs an operator.`);
          break;
        case 'link-entity': {
          const name = child.attrs.name;
          if (!name) throw bad('<link-entity> needs a name attribute.');
          const linked = await schemaOf(name).catch((error: unknown) => {
            throw error instanceof ToolError ? bad(`link-entity "${name}": ${error.message}`) : error;
          });
          await walk(child, linked, schema);
          break;
        }
        case 'filter':
          if (child.attrs.type && !/^(and|or)$/.test(child.attrs.type))
            throw bad(`<filter type="${child.attrs.type}"> must be "and" or "or".`);
          await walk(child, schema, parentSchema);
          break;
        case 'entity':
          throw bad('only one <entity> is allowed.');
        default:
          break;
      }
    }
  };
  await walk(entity, table);
  for (const c of pendingConditions) {
    const t = aliases.get(c.alias);
    if (!t) throw bad(`<condition entityname="${c.alias}"> names no link-entity alias.${didYouMean(nearAliases(c.alias, aliases))}`);
    const linked = await schemaOf(t);
    if (!fieldMap(linked).has(c.attribute)) {
      throw bad(
        `${linked.logicalName} has no attribute "${c.attribute}" (in <condition>).${didYouMean(nearFields(c.attribute, linked.fields))}`,
      );
    }
  }
  return { root, aliases };
}

function nearAliases(alias: string, aliases: Map<string, string>): string[] {
  return [...aliases.keys()].filter((a) => a.toLowerCase() === alias.toLowerCase());
}

function bad(message: string): ToolError {
  return new ToolError('invalid_input', `Invalid fetchXml: ${message}`);
}
