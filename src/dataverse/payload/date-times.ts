import { truncate } from '../odata';
import { describe, Invalid, PayloadState } from './state';

/** Date-and-time fields (must say their time zone) and date-only fields (a calendar date). */

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/i;
const DATE_TIME_NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/i;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function convertDateTime(s: PayloadState, name: string, value: unknown): string | Invalid {
  const hint =
    "convert the user's local time to UTC with the utcOffset from get_my_identity and write it as ISO 8601 with Z, e.g. 2025-06-03T12:00:00Z";
  if (typeof value !== 'string') return s.invalid(`${name} is a date and time: ${hint}.`);
  const v = value.trim();
  if (DATE_TIME.test(v) && !Number.isNaN(Date.parse(v))) {
    return new Date(Date.parse(v)).toISOString().replace('.000Z', 'Z');
  }
  if (DATE_TIME_NO_ZONE.test(v)) return s.invalid(`${name}: "${v}" has no time zone; ${hint}.`);
  if (DATE_ONLY.test(v)) return s.invalid(`${name} is a date and time, and "${v}" has no time; ${hint}.`);
  return s.invalid(`${name}: "${truncate(v, 40)}" is not a date and time; ${hint}.`);
}

export function convertDateOnly(s: PayloadState, name: string, value: unknown): string | Invalid {
  const v = typeof value === 'string' ? value.trim() : '';
  const m = DATE_ONLY.exec(v);
  if (m) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])) return v;
    return s.invalid(`${name}: ${v} is not a calendar date.`);
  }
  return s.invalid(`${name} is a date only (no time): give YYYY-MM-DD, e.g. 2025-06-03, not ${describe(value)}.`);
}
