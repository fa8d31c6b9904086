import { FaultSettings, HostileKind } from './types';

/** Fault injection for /api/data requests: throttling, latency, failures and dropped connections. */

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'drop' }
  | { kind: 'throttle'; retryAfter: number; code: string }
  | { kind: 'fail'; status: 500 | 502 | 503 | 504 }
  | { kind: 'hostile'; hostile: HostileKind };

export const THROTTLE_MESSAGES: Record<string, string> = {
  '0x80072322': 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
  '0x80072321':
    'Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.',
  '0x80072326': 'Number of concurrent requests exceeded the limit of 52.',
};

export class Faults {
  private settings: FaultSettings = {};
  private seen = 0;
  private failuresLeft = 0;
  private dropsLeft = 0;
  private hostileLeft = 0;

  set(f: FaultSettings): void {
    this.settings = structuredClone(f ?? {});
    this.seen = 0;
    this.failuresLeft = f?.failures?.count ?? 0;
    this.dropsLeft = f?.dropConnections?.count ?? 0;
    this.hostileLeft = f?.hostileResponses?.count ?? 0;
  }

  reset(): void {
    this.set({});
  }

  get latencyMs(): number {
    return Math.max(0, this.settings.latencyMs ?? 0);
  }

  get active(): boolean {
    const s = this.settings;
    return !!(s.throttle || s.latencyMs || s.failures || s.dropConnections || s.hostileResponses);
  }

  /** Decides the fault (if any) for the next API request; counts the request. */
  next(method: string, path = ''): FaultDecision {
    const s = this.settings;
    const n = ++this.seen;
    const matches = (methods?: string[]) => !methods || methods.length === 0 || methods.some((m) => m.toUpperCase() === method);
    if (s.dropConnections && this.dropsLeft > 0 && matches(s.dropConnections.methods)) {
      this.dropsLeft--;
      return { kind: 'drop' };
    }
    const t = s.throttle;
    if (t && ((t.first !== undefined && n <= t.first) || (t.after !== undefined && n > t.after))) {
      return { kind: 'throttle', retryAfter: t.retryAfterSeconds ?? 1, code: t.code ?? '0x80072322' };
    }
    if (s.failures && this.failuresLeft > 0 && matches(s.failures.methods)) {
      this.failuresLeft--;
      return { kind: 'fail', status: s.failures.status };
    }
    const h = s.hostileResponses;
    if (h && this.hostileLeft > 0 && matches(h.methods) && (!h.pathIncludes || path.includes(h.pathIncludes))) {
      this.hostileLeft--;
      return { kind: 'hostile', hostile: h.kind };
    }
    return { kind: 'none' };
  }
}
