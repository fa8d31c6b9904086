import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { posix } from 'node:path';
import type { EmulatorHandle, RequestLogEntry } from '../../src/sandbox';

/** The outcome of one tool call as the client saw it: a result (maybe `isError`), or a thrown protocol/transport error. */
export type Outcome =
  | { kind: 'ok'; result: CallToolResult & { text: string } }
  | { kind: 'tool-error'; result: CallToolResult & { text: string } }
  | { kind: 'thrown'; error: unknown };

/** Calls a tool and never throws: protocol and transport errors become `thrown` outcomes to be counted. */
export async function tryCall(client: Client, name: string, args: unknown, timeoutMs?: number): Promise<Outcome> {
  try {
    const result = (await client.callTool(
      { name, arguments: args as Record<string, unknown> },
      undefined,
      timeoutMs ? { timeout: timeoutMs } : undefined,
    )) as CallToolResult;
    const text = (result.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    return result.isError ? { kind: 'tool-error', result: { ...result, text } } : { kind: 'ok', result: { ...result, text } };
  } catch (error) {
    return { kind: 'thrown', error };
  }
}

export const describeOutcome = (o: Outcome): string =>
  o.kind === 'thrown' ? `thrown: ${String((o.error as Error)?.message ?? o.error)}` : `${o.kind}: ${o.result.text.slice(0, 300)}`;

/** A marker unique to one test run, written into records so they can be counted in the emulator's store. */
export function runMarker(label: string): string {
  return `rel-${label}-${process.pid}-${Date.now().toString(36)}`;
}

/** Records of an entity set whose `field` equals `marker`. */
export function countMarked(emulator: EmulatorHandle, entitySet: string, field: string, marker: string): number {
  return emulator.store.count(entitySet, (r) => r[field] === marker);
}

/** Record counts of the sample tables, to prove that nothing disappeared. */
export function tableCounts(
  emulator: EmulatorHandle,
  sets = ['accounts', 'contacts', 'leads', 'opportunities', 'tasks', 'appointments', 'systemusers'],
): Record<string, number> {
  return Object.fromEntries(sets.map((s) => [s, emulator.store.count(s)]));
}

const API_PREFIX = '/api/data/v9.2/';
/** Query options the server may legitimately send. */
const KNOWN_OPTIONS = new Set(['$select', '$filter', '$orderby', '$top', '$expand', '$count', '$skiptoken', '$apply']);

/**
 * Problems with one raw request URL as the emulator received it: raw whitespace, `#` or non-ASCII (an unencoded value),
 * a path that leaves `/api/data/v9.2/`, a dot segment, a query option that is unknown or appears twice
 * (a `$filter` value that smuggled in another option).
 */
export function urlProblems(entry: RequestLogEntry): string[] {
  const problems: string[] = [];
  const raw = entry.url;
  if (!/^[\x21-\x7e]+$/.test(raw)) problems.push('raw whitespace, control or non-ASCII character');
  if (raw.includes('#')) problems.push('raw #');
  const qi = raw.indexOf('?');
  const path = qi < 0 ? raw : raw.slice(0, qi);
  const query = qi < 0 ? '' : raw.slice(qi + 1);
  let decodedPath = path;
  try {
    decodedPath = decodeURIComponent(path);
  } catch {
    problems.push('path is not valid percent-encoding');
  }
  if (!path.startsWith(API_PREFIX)) problems.push('path outside /api/data/v9.2/');
  const segments = decodedPath.split('/');
  if (segments.some((s) => s === '..' || s === '.')) problems.push('dot segment in path');
  if (!posix.normalize(decodedPath).startsWith(API_PREFIX)) problems.push('path escapes /api/data/v9.2/ when normalized');
  const first = path.slice(API_PREFIX.length).split('/')[0];
  if (!/^[A-Za-z0-9_]+(\(.*\))?$/.test(first))
    problems.push(`first segment ${JSON.stringify(first)} is not an entity set, function or key`);
  if (query) {
    const keys = query.split('&').map((part) => part.split('=')[0]);
    for (const k of keys) if (!KNOWN_OPTIONS.has(k)) problems.push(`unexpected query option ${JSON.stringify(k)}`);
    if (new Set(keys).size !== keys.length) problems.push('a query option appears twice');
  }
  return problems;
}

/** One summary line per group, printed at the end of a spec so the CI log shows the figures. */
export function summary(group: string, figures: Record<string, string | number>): void {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(`[reliability] ${group}: ${text}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or the deadline passes; returns whether it succeeded. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
