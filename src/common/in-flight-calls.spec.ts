import { InFlightCalls } from './in-flight-calls';

describe('InFlightCalls', () => {
  it('should resolve whenIdle at once when nothing runs', async () => {
    await expect(new InFlightCalls().whenIdle(10)).resolves.toBe(0);
  });

  it('should resolve whenIdle when the last running call ends', async () => {
    const calls = new InFlightCalls();
    const endA = calls.begin();
    const endB = calls.begin();
    const idle = calls.whenIdle(5000);
    endA();
    endA(); // ending twice counts once
    expect(calls.count).toBe(1);
    endB();
    await expect(idle).resolves.toBe(0);
  });

  it('should report the calls still running when the deadline comes first', async () => {
    const calls = new InFlightCalls();
    calls.begin();
    calls.startDraining();
    expect(calls.draining).toBe(true);
    await expect(calls.whenIdle(20)).resolves.toBe(1);
  });
});
