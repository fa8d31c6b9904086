/**
 * Lookups by name (`{"table": "account", "name": "Contoso Ltd"}`): the payload asks a NameSource for each name.
 * A first pass collects every name a call uses (so they can be resolved together, in as few requests as possible),
 * a second pass builds the body from the answers.
 */

export type NameAnswer = { id: string } | { problem: string };

export interface NameSource {
  /** The record `name` points to in `table`, a problem, or 'pending' while names are being collected. */
  resolve(table: string, name: string): NameAnswer | 'pending';
}

export interface NameRef {
  table: string;
  name: string;
}

export function nameKey(table: string, name: string): string {
  return `${table}\u0000${name.trim().toLowerCase()}`;
}

/** First pass: remembers every name asked for. */
export class NameCollector implements NameSource {
  readonly refs = new Map<string, NameRef>();

  resolve(table: string, name: string): 'pending' {
    this.refs.set(nameKey(table, name), { table, name: name.trim() });
    return 'pending';
  }
}

/** Second pass: the answers of the name service. */
export class ResolvedNames implements NameSource {
  constructor(private readonly answers: Map<string, NameAnswer>) {}

  resolve(table: string, name: string): NameAnswer {
    return this.answers.get(nameKey(table, name)) ?? { problem: `"${name}" could not be looked up in ${table}.` };
  }
}

/**
 * Runs `build` once to collect names; when there are any, resolves them all with `resolveAll` and runs `build`
 * again with the answers. A first pass that throws is replaced by the second one (which knows the names too).
 */
export async function withNames<T>(
  build: (names: NameSource, firstPass: boolean) => T,
  resolveAll: (refs: NameRef[]) => Promise<Map<string, NameAnswer>>,
): Promise<T> {
  const collector = new NameCollector();
  let first: { value: T } | { error: unknown };
  try {
    first = { value: build(collector, true) };
  } catch (error) {
    first = { error };
  }
  if (!collector.refs.size) {
    if ('error' in first) throw first.error;
    return first.value;
  }
  const answers = await resolveAll([...collector.refs.values()]);
  return build(new ResolvedNames(answers), false);
}
