import fc from 'fast-check';
import { z } from 'zod';
import { MCP_TOOL_METADATA_KEY } from '@rekog/mcp-nest/dist/mcp';
import { AuthTools } from '../../tools/auth/auth.tools';
import { CreateRecordsTools, UpdateRecordsTools } from '../../tools/bulk/bulk-write.tools';
import { DeleteTools } from '../../tools/delete/delete.tools';
import { HistoryTools } from '../../tools/history/history.tools';
import { AggregateTools } from '../../tools/query/aggregate.tools';
import { IdentityTools } from '../../tools/read/identity.tools';
import { MetadataTools } from '../../tools/read/metadata.tools';
import { RecordsTools } from '../../tools/read/records.tools';
import { RelationshipTools } from '../../tools/relationships/relationship.tools';
import { SearchTools } from '../../tools/search/search.tools';
import { CreateRecordTools, UpdateRecordTools } from '../../tools/write/records-write.tools';
import { compileArguments } from './fast-arguments';

const CLASSES = [
  AuthTools,
  CreateRecordsTools,
  UpdateRecordsTools,
  DeleteTools,
  HistoryTools,
  AggregateTools,
  IdentityTools,
  MetadataTools,
  RecordsTools,
  RelationshipTools,
  SearchTools,
  CreateRecordTools,
  UpdateRecordTools,
];

type Schema = z.ZodObject<z.ZodRawShape>;
const TOOLS = CLASSES.flatMap((cls) =>
  Object.getOwnPropertyNames(cls.prototype)
    .map(
      (m) =>
        Reflect.getMetadata(MCP_TOOL_METADATA_KEY, (cls.prototype as unknown as Record<string, object>)[m]) as {
          name: string;
          parameters?: Schema;
        },
    )
    .filter((t) => t?.parameters),
);

/** Values around the limits the tools' schemas use, and of every wrong type. */
const value = fc.oneof(
  fc.constantFrom(undefined, null, '', 'x', '*', 0, 1, -1, 1.5, 5000, 5001, 2 ** 53, Number.NaN, Infinity, true, false, [], {}),
  fc.string({ maxLength: 12 }),
  fc.string({ minLength: 125, maxLength: 132 }),
  fc.integer({ min: -3, max: 6000 }),
  fc.double(),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 5 }),
  fc.array(fc.string({ maxLength: 3 }), { minLength: 198, maxLength: 202 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

type Def = {
  type: string;
  innerType?: Z;
  options?: Z[];
  element?: Z;
  entries?: object;
  values?: unknown[];
  checks?: Array<{ _zod: { def: Record<string, unknown> } }>;
};
type Z = { _zod: { def: Def } };

/** A value the schema accepts (at its lower limits), so the comparison also sees accepted calls. */
function sample(schema: Z): unknown {
  const def = schema._zod.def;
  const limit = (name: string) => def.checks?.map((c) => c._zod.def).find((c) => c.check === name);
  switch (def.type) {
    case 'optional':
      return sample(def.innerType!);
    case 'string':
      return 'a'.repeat(Math.max(1, Number(limit('min_length')?.minimum ?? 1)));
    case 'number':
      return Number(limit('greater_than')?.value ?? 1);
    case 'boolean':
      return true;
    case 'enum':
      return Object.values(def.entries!)[0];
    case 'literal':
      return def.values![0];
    case 'array':
      return Array.from({ length: Math.max(1, Number(limit('min_length')?.minimum ?? 1)) }, () => sample(def.element!));
    case 'union':
      return sample(def.options![0]);
    default:
      return undefined;
  }
}

function argumentsFor(schema: Schema) {
  const keys = Object.keys(schema.shape);
  const valid = (key: string) => sample(schema.shape[key] as unknown as Z);
  return fc.oneof(
    { weight: 1, arbitrary: value },
    {
      weight: 4,
      // Every key valid, some optional ones left out, one or two replaced by a random value.
      arbitrary: fc
        .tuple(
          fc.subarray(keys),
          fc.subarray(keys, { maxLength: Math.min(2, keys.length) }),
          fc.array(value, { minLength: 2, maxLength: 2 }),
        )
        .map(([left, swapped, values]) => {
          const args: Record<string, unknown> = {};
          for (const k of keys) if (!left.includes(k) || (schema.shape[k] as unknown as Z)._zod.def.type !== 'optional') args[k] = valid(k);
          swapped.forEach((k, i) => (args[k] = values[i]));
          return args;
        }),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.subarray(keys), fc.array(value, { minLength: keys.length, maxLength: keys.length }), fc.boolean())
        .map(([present, values, extra]) => {
          const args: Record<string, unknown> = {};
          present.forEach((k) => (args[k] = values[keys.indexOf(k)]));
          if (extra) args.unexpected = 'kept out';
          return args;
        }),
    },
  );
}

describe('compileArguments', () => {
  it('should cover the plain tools, list_records first among them', () => {
    const covered = TOOLS.filter((t) => compileArguments(t.parameters)).map((t) => t.name);
    expect(covered).toEqual(expect.arrayContaining(['list_records', 'get_record', 'get_table_schema', 'list_tables']));
    const list = compileArguments(TOOLS.find((t) => t.name === 'list_records')!.parameters)!;
    expect(list({ table: 'contacts', select: 'fullname,emailaddress1', filter: 'statecode eq 0', top: 10, other: 1 })).toStrictEqual({
      table: 'contacts',
      select: 'fullname,emailaddress1',
      filter: 'statecode eq 0',
      top: 10,
    });
  });

  const covered = TOOLS.filter((t) => compileArguments(t.parameters)).map((t) => [t.name, t.parameters!] as const);
  it.each(covered)('should accept only what zod accepts for %s, giving exactly what zod gives', (_, schema) => {
    const fast = compileArguments(schema)!;
    let accepted = 0;
    fc.assert(
      fc.property(argumentsFor(schema), (args) => {
        const mine = fast(args);
        const theirs = schema.safeParse(args);
        if (mine === undefined) return;
        accepted++;
        expect(theirs.success).toBe(true);
        expect(mine).toStrictEqual(theirs.data);
      }),
      { numRuns: 600 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('should leave schemas with anything else to zod', () => {
    for (const schema of [
      z.object({ a: z.string().regex(/x/) }),
      z.object({ a: z.string().trim() }),
      z.object({ a: z.coerce.number() }),
      z.object({ a: z.string().default('x') }),
      z.object({ a: z.record(z.string(), z.unknown()) }),
      z.object({ a: z.string().nullable() }),
      z.object({ a: z.string() }).passthrough(),
      z.string(),
    ]) {
      expect(compileArguments(schema)).toBeUndefined();
    }
  });
});
