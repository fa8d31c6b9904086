/**
 * Wall-clock times in a named zone → UTC, with the offset that zone has on that date (daylight saving included),
 * from the platform's Intl time zone data.
 */

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when the platform knows the zone. */
export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Minutes the zone is ahead of UTC at the instant `utcMs`. */
export function offsetMinutes(zone: string, utcMs: number): number {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(utcMs))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * The UTC instant of a wall-clock time in `zone`, or 'gap' when that time does not exist there (the clocks
 * jump over it). A time that exists twice (clocks go back) is the first of the two.
 */
export function wallToUtc(t: WallTime, zone: string): number | 'gap' {
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, t.ms);
  const candidates = new Set<number>();
  for (const probe of [wall - 36 * 3_600_000, wall, wall + 36 * 3_600_000]) {
    const utc = wall - offsetMinutes(zone, probe) * 60_000;
    if (utc + offsetMinutes(zone, utc) * 60_000 === wall) candidates.add(utc);
  }
  // Offsets just before and after the wall time also catch transitions between the probes.
  for (const off of [offsetMinutes(zone, wall - 3 * 3_600_000), offsetMinutes(zone, wall + 3 * 3_600_000)]) {
    const utc = wall - off * 60_000;
    if (utc + offsetMinutes(zone, utc) * 60_000 === wall) candidates.add(utc);
  }
  if (!candidates.size) return 'gap';
  return Math.min(...candidates);
}

/** `+02:00` for 120 minutes. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
