import { truncate } from '../../client/odata';
import type { SchemaField } from '../../metadata/schema-format';
import { hiddenNavigation, hiddenTarget, outsideScopeMessage } from '../../scope/table-scope';
import { nearest } from './field-names';
import { BIND_PATH, BIND_SUFFIX, GUID, idByName, listOr, PayloadState } from './state';

/**
 * Lookups: the friendly forms (`{"table","id"}`, `{"id"}` / a GUID for single-target lookups, a bind path, null)
 * and the raw `<nav>@odata.bind` form, written with the exact (case-sensitive) navigation property and the
 * target's entity set.
 */

export function writeLookup(s: PayloadState, field: SchemaField, key: string, value: unknown): void {
  const to = field.to!;
  const targets = Object.keys(to);
  if (!targets.length) {
    s.problem(`${field.name} points only to tables outside this server's scope; leave it out.`);
    return;
  }
  if (!s.claim(field.name, key)) return;
  const example = `{"table": "${targets[0]}", "id": "<guid>"}`;
  if (value === null) {
    // Clearing: any navigation property of the lookup with null disassociates it.
    if (s.ctx.mode === 'update') s.body[`${to[targets[0]]}${BIND_SUFFIX}`] = null;
    return;
  }
  let table: string | undefined;
  let id: string | undefined;
  if (typeof value === 'string') {
    const bind = BIND_PATH.exec(value.trim());
    if (bind) {
      table = targetBySet(s, targets, bind[1]);
      const hidden = table ? undefined : hiddenTarget(field, bind[1]);
      if (hidden) {
        s.problem(`${field.name}: ${outsideScopeMessage(hidden)}`);
        return;
      }
      if (!table) {
        s.problem(`${field.name}: "${truncate(value, 80)}" does not point to ${listOr(targets)}; give ${example}.`);
        return;
      }
      id = bind[2];
    } else if (GUID.test(value.trim())) {
      if (targets.length > 1) {
        s.problem(`${field.name} can point to ${listOr(targets)}: say which, e.g. ${example}.`);
        return;
      }
      table = targets[0];
      id = value.trim();
    } else {
      s.problem(
        `${field.name} is a lookup: give ${example}${targets.length === 1 ? ' or the record id (GUID)' : ''}, not "${truncate(value, 60)}". Find the id with list_records.`,
      );
      return;
    }
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const rawId = v.id ?? v.Id;
    const byName = rawId === undefined && typeof v.name === 'string' ? v.name : undefined;
    if (byName === undefined && (typeof rawId !== 'string' || !GUID.test(rawId.trim()))) {
      s.problem(
        `${field.name}: "id" must be the GUID of the related record, e.g. ${example}, or give its "name" instead of "id". Find it with list_records.`,
      );
      return;
    }
    id = typeof rawId === 'string' ? rawId.trim() : undefined;
    const rawTable = v.table ?? v.entity ?? v.logicalName;
    if (rawTable === undefined) {
      if (targets.length > 1) {
        s.problem(`${field.name} can point to ${listOr(targets)}: add "table", e.g. ${example}.`);
        return;
      }
      table = targets[0];
    } else {
      table = typeof rawTable === 'string' ? targetByName(s, targets, rawTable) : undefined;
      const hidden = !table && typeof rawTable === 'string' ? hiddenTarget(field, rawTable) : undefined;
      if (hidden) {
        s.problem(`${field.name}: ${outsideScopeMessage(hidden)}`);
        return;
      }
      if (!table) {
        s.problem(`${field.name} cannot point to "${truncate(String(rawTable), 60)}"; it can point to ${listOr(targets)}.`);
        return;
      }
    }
    if (byName !== undefined) {
      id = idByName(s, field.name, table, byName);
      if (id === undefined) return;
    }
  } else {
    s.problem(`${field.name} is a lookup: give ${example}.`);
    return;
  }
  if (id === undefined) return;
  const set = s.entitySetOf(table);
  if (!set) {
    s.problem(
      `${field.name}: the entity set of table ${table} is unknown; write "${to[table]}${BIND_SUFFIX}": "/<entity set>(<id>)" instead (list_tables shows entity sets).`,
    );
    return;
  }
  s.body[`${to[table]}${BIND_SUFFIX}`] = `/${set}(${GUID.exec(id)![1].toLowerCase()})`;
}

/** `"<nav>@odata.bind": "/<set>(<id>)"`: navigation name matched case-insensitively and rewritten exactly; path checked. */
export function writeRawBind(s: PayloadState, key: string, value: unknown, writable: (field: SchemaField) => boolean): void {
  const given = key.slice(0, -BIND_SUFFIX.length);
  const info = s.navs.get(given.toLowerCase());
  const hidden = info ? undefined : hiddenNavigation(s.schema, given);
  if (hidden) {
    s.problem(`"${truncate(key, 80)}": ${outsideScopeMessage(hidden)}`);
    return;
  }
  if (!info) {
    const field = s.byName.get(given.toLowerCase());
    const fix = field?.to
      ? ` ${field.name} binds through ${Object.entries(field.to)
          .map(([t, n]) => `"${n}${BIND_SUFFIX}" (${t})`)
          .join(' or ')}.`
      : '';
    const navNames = [...s.navs.values()].map((n) => n.nav);
    const near = fix
      ? []
      : nearest(
          given,
          navNames.map((n) => ({ name: n, match: [n.toLowerCase()] })),
        );
    s.problem(
      `"${truncate(key, 80)}" is not a navigation property of ${s.schema.logicalName}.${fix}${near.length ? ` Did you mean ${near.map((n) => `"${n}${BIND_SUFFIX}"`).join(', ')}?` : ''}` +
        (fix || near.length ? '' : ' get_table_schema lists each lookup\'s navigation names under "to".'),
    );
    return;
  }
  const field = info.field;
  if (!writable(field)) return;
  if (!s.claim(field.name, key)) return;
  const exactKey = `${info.nav}${BIND_SUFFIX}`;
  if (value === null) {
    if (s.ctx.mode === 'update') s.body[exactKey] = null;
    return;
  }
  const bind = typeof value === 'string' ? BIND_PATH.exec(value.trim()) : null;
  if (!bind) {
    s.problem(
      `"${exactKey}" must be a path like "/${s.entitySetOf(info.targets[0]) ?? '<entity set>'}(<guid>)", not ${truncate(JSON.stringify(value) ?? String(value), 80)}.`,
    );
    return;
  }
  const table = targetBySet(s, info.targets, bind[1]);
  const hiddenSet = table ? undefined : hiddenTarget(field, bind[1]);
  if (hiddenSet) {
    s.problem(`"${exactKey}": ${outsideScopeMessage(hiddenSet)}`);
    return;
  }
  if (!table) {
    const other = Object.entries(field.to!).find(([t]) => matchesTable(s, t, bind[1]));
    s.problem(
      `"${exactKey}" points to ${listOr(info.targets)} records (/${info.targets.map((t) => s.entitySetOf(t) ?? t).join(' or /')}(...)), not "${truncate(String(value), 80)}".` +
        (other ? ` For a ${other[0]} use "${other[1]}${BIND_SUFFIX}".` : ''),
    );
    return;
  }
  const set = s.entitySetOf(table) ?? bind[1];
  s.body[exactKey] = `/${set}(${bind[2].toLowerCase()})`;
}

/** A navigation property given without "@odata.bind" (e.g. "parentcustomerid_account": "<guid>"): true when it was one. */
export function navigationWithoutBind(s: PayloadState, key: string): boolean {
  const nav = s.navs.get(key.toLowerCase());
  const hidden = nav ? undefined : hiddenNavigation(s.schema, key);
  if (hidden) {
    s.problem(`"${truncate(key, 80)}": ${outsideScopeMessage(hidden)}`);
    return true;
  }
  if (!nav) return false;
  s.problem(
    `"${key}" is a navigation property: write the lookup as "${nav.field.name}": {"table": "${nav.targets[0]}", "id": "<guid>"} or as "${nav.nav}@odata.bind": "/${s.entitySetOf(nav.targets[0]) ?? '<entity set>'}(<guid>)".`,
  );
  return true;
}

function matchesTable(s: PayloadState, table: string, name: string): boolean {
  const lower = name.toLowerCase();
  return table === lower || s.entitySetOf(table)?.toLowerCase() === lower;
}

/** The target whose entity set (or logical name) is `set`, case-insensitively. */
function targetBySet(s: PayloadState, targets: string[], set: string): string | undefined {
  return targets.find((t) => s.entitySetOf(t)?.toLowerCase() === set.toLowerCase()) ?? targets.find((t) => t === set.toLowerCase());
}

export function targetByName(s: PayloadState, targets: string[], name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  return targets.find((t) => t === lower) ?? targets.find((t) => s.entitySetOf(t)?.toLowerCase() === lower);
}
