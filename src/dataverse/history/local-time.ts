import type { IdentityService } from '../identity/identity.service';
import { zoneNow } from '../identity/time-zones';

/** Turns a UTC instant into the user's local time with its offset (`2025-06-02T10:00:00+02:00`). */
export type LocalClock = (utc: unknown, formatted?: unknown) => string | undefined;

/**
 * A clock in the signed-in user's Dataverse time zone (from the cached identity). Without a known zone,
 * Dataverse's own formatted value (already local) is used, and failing that the UTC value as given.
 */
export async function localClock(identity: IdentityService): Promise<LocalClock> {
  let iana: string | undefined;
  try {
    iana = (await identity.getIdentity()).timeZone.ianaId;
  } catch {
    iana = undefined;
  }
  return (utc, formatted) => {
    if (typeof utc !== 'string') return undefined;
    const ms = Date.parse(utc);
    const zoned = iana && !Number.isNaN(ms) ? zoneNow(iana, new Date(ms)) : undefined;
    if (zoned) return `${zoned.localTime}${zoned.utcOffset}`;
    return typeof formatted === 'string' ? formatted : utc;
  };
}
