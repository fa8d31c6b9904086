import { present } from './identity.service';
import { windowsToIana, zoneNow } from './time-zones';

describe('time zones', () => {
  it('should map common Windows zones to IANA ids', () => {
    expect(windowsToIana('Eastern Standard Time')).toBe('America/New_York');
    expect(windowsToIana('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(windowsToIana('Nowhere Standard Time')).toBeUndefined();
  });

  it('should compute the offset with daylight saving', () => {
    expect(zoneNow('Europe/Berlin', new Date('2025-01-15T12:00:00Z'))).toEqual({ utcOffset: '+01:00', localTime: '2025-01-15T13:00:00' });
    expect(zoneNow('Europe/Berlin', new Date('2025-07-15T12:00:00Z'))).toEqual({ utcOffset: '+02:00', localTime: '2025-07-15T14:00:00' });
    expect(zoneNow('Asia/Kolkata', new Date('2025-07-15T12:00:00Z'))?.utcOffset).toBe('+05:30');
    expect(zoneNow('America/New_York', new Date('2025-01-15T12:00:00Z'))?.utcOffset).toBe('-05:00');
  });

  it('should fall back to the standard bias when a zone has no IANA mapping', () => {
    const id = present(
      { userId: 'u', businessUnitId: 'b', organizationId: 'o', timeZoneCode: 999, windowsName: 'Odd Standard Time', bias: -330 },
      new Date('2025-01-01T00:00:00Z'),
    );
    expect(id.timeZone).toMatchObject({ ianaId: undefined, utcOffset: '+05:30', localTime: '2025-01-01T05:30:00' });
    expect(id.utcNow).toBe('2025-01-01T00:00:00Z');
  });
});
