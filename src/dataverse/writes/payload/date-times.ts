import { truncate } from '../../client/odata';
import { formatOffset, offsetMinutes, wallToUtc } from './local-time';
import { describe, Invalid, PayloadState } from './state';

/**
 * Date-and-time fields: with `Z` or an offset used as given; without one taken in the user's Dataverse time zone
 * with that zone's offset on that date. Date-only fields: a calendar date.
 */

/** True when `value` is a date-time without an offset (so writing it needs the user's time zone). */
export function isZoneLessDateTime(value: unknown): boolean {
  return typeof value === 'string' && DATE_TIME_NO_ZONE.test(value.trim());
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/i;
const DATE_TIME_NO_ZONE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/i;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function convertDateTime(s: PayloadState, name: string, value: unknown): string | Invalid {
  const hint =
    'give ISO 8601, e.g. "2025-06-03T14:00" (taken in your Dataverse time zone) or with Z or an offset, e.g. "2025-06-03T12:00:00Z"';
  if (typeof value !== 'string') return s.invalid(`${name} is a date and time: ${hint}.`);
  const v = value.trim();
  if (DATE_TIME.test(v) && !Number.isNaN(Date.parse(v))) {
    return new Date(Date.parse(v)).toISOString().replace('.000Z', 'Z');
  }
  if (DATE_TIME_NO_ZONE.test(v)) {
    const zone = s.ctx.timeZone;
    if (!zone) return s.invalid(`${name}: "${v}" has no time zone and yours is not known; ${hint}.`);
    return fromLocal(s, name, v, zone);
  }
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

function fromLocal(s: PayloadState, name: string, v: string, zone: string): string | Invalid {
  const m = DATE_TIME_NO_ZONE.exec(v)!;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return s.invalid(`${name}: "${v}" is not a valid date and time.`);
  }
  const utc = wallToUtc({ year, month, day, hour, minute, second, ms }, zone);
  if (utc === 'gap') {
    return s.invalid(`${name}: ${v} does not exist in ${zone} (the clocks skip it for daylight saving); ask the user for another time.`);
  }
  const text = new Date(utc).toISOString().replace('.000Z', 'Z');
  s.localTimes.push({ field: name, local: v, utc: text, timeZone: `${zone} ${formatOffset(offsetMinutes(zone, utc))}` });
  return text;
}
