import { formatOffset, offsetMinutes, wallToUtc } from './local-time';

const at = (y: number, mo: number, d: number, h: number, mi = 0) => ({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0, ms: 0 });
const iso = (ms: number | 'gap') => (ms === 'gap' ? ms : new Date(ms).toISOString());

describe('local times', () => {
  it('should use the offset of the date itself: summer and winter in Berlin', () => {
    expect(iso(wallToUtc(at(2026, 7, 15, 14), 'Europe/Berlin'))).toBe('2026-07-15T12:00:00.000Z');
    expect(iso(wallToUtc(at(2026, 12, 2, 14), 'Europe/Berlin'))).toBe('2026-12-02T13:00:00.000Z');
  });

  it('should handle zones west of UTC and half-hour offsets', () => {
    expect(iso(wallToUtc(at(2026, 3, 1, 9), 'America/New_York'))).toBe('2026-03-01T14:00:00.000Z');
    expect(iso(wallToUtc(at(2026, 3, 9, 9), 'America/New_York'))).toBe('2026-03-09T13:00:00.000Z');
    expect(iso(wallToUtc(at(2026, 1, 1, 0, 30), 'Asia/Kolkata'))).toBe('2025-12-31T19:00:00.000Z');
  });

  it('should report a time the clocks skip, and take the first of a time that happens twice', () => {
    expect(wallToUtc(at(2026, 3, 29, 2, 30), 'Europe/Berlin')).toBe('gap');
    expect(iso(wallToUtc(at(2026, 10, 25, 2, 30), 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('should format offsets', () => {
    expect(formatOffset(offsetMinutes('Europe/Berlin', Date.UTC(2026, 6, 1)))).toBe('+02:00');
    expect(formatOffset(-330)).toBe('-05:30');
  });
});
