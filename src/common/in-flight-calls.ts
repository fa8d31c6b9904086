import { Injectable } from '@nestjs/common';

/**
 * Tool calls under way, so that shutdown can let them finish: once draining starts, new calls are refused
 * (HTTP: 503; a call that still arrives: an isError result saying to retry) and `whenIdle` resolves when the
 * last running call has settled, or at the deadline.
 */
@Injectable()
export class InFlightCalls {
  private running = 0;
  private isDraining = false;
  private waiters: Array<() => void> = [];

  get draining(): boolean {
    return this.isDraining;
  }

  get count(): number {
    return this.running;
  }

  begin(): () => void {
    this.running++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running--;
      if (this.running === 0) this.waiters.splice(0).forEach((wake) => wake());
    };
  }

  startDraining(): void {
    this.isDraining = true;
  }

  /** Resolves with the number of calls still running: 0 unless the deadline came first. */
  whenIdle(timeoutMs: number): Promise<number> {
    if (this.running === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.running), timeoutMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(0);
      });
    });
  }
}
