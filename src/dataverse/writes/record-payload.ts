import { build, collectProblems } from './payload/builder';
import type { BuiltPayload, PayloadContext } from './payload/state';

/**
 * `data` as the model gives it to the write tools → the exact Web API body, checked against the cached schema
 * before anything is sent. Every problem is collected and reported at once, with what to do next. Each form
 * of value lives in its own file under `payload/`: lookups and binds (lookups.ts), choices (choices.ts), dates
 * and times (date-times.ts), activity parties (activity-parties.ts), plain values (plain-values.ts); the
 * dispatch by key is builder.ts.
 */

export type { BuiltPayload, PayloadContext, WriteMode } from './payload/state';
export { needsPartySchema, partiesProperty, PARTY_ROLES } from './payload/activity-parties';
export { parseOptions } from './payload/choices';
export { suggestFieldNames } from './payload/field-names';

/** Builds the Web API body for `data`, or throws one ToolError listing every problem found. */
export function buildPayload(data: unknown, ctx: PayloadContext): BuiltPayload {
  return build(data, ctx);
}

/** For bulk writes: the body, or the problems of this row (without the single-record wording around them). */
export function checkPayload(data: unknown, ctx: PayloadContext): { payload?: BuiltPayload; problems: string[] } {
  const r = collectProblems(data, ctx);
  return { payload: r.payload, problems: r.list };
}
