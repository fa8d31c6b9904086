import { findTable, TableInfo } from './metadata.service';

const table = (logicalName: string, entitySetName: string): TableInfo => ({
  logicalName,
  entitySetName,
  primaryIdAttribute: `${logicalName}id`,
  displayName: logicalName,
});

describe('findTable', () => {
  const list = [table('account', 'accounts'), table('contact', 'contacts'), table('new_project', 'new_Projects'), table('x', 'contacts')];

  it.each([
    ['a logical name', 'contact', 'contact'],
    ['a logical name in another case', 'Contact', 'contact'],
    ['an entity set name', 'accounts', 'account'],
    ['an entity set name as written', 'new_Projects', 'new_project'],
    ['an entity set name in another case', 'NEW_PROJECTS', 'new_project'],
    ['the first of two tables with one entity set name', 'contacts', 'contact'],
  ])('should find a table by %s, in a frozen (indexed) list as in a plain one', (_label, name, expected) => {
    const plain = [...list];
    const frozen = Object.freeze([...list]) as TableInfo[];

    expect(findTable(plain, name)?.logicalName).toBe(expected);
    expect(findTable(frozen, name)?.logicalName).toBe(expected);
    expect(findTable(frozen, name)).toBe(findTable(plain, name));
  });

  it('should find nothing for a name no table has', () => {
    expect(findTable([...list], 'lead')).toBeUndefined();
    expect(findTable(Object.freeze([...list]) as TableInfo[], 'lead')).toBeUndefined();
  });
});
