import type { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection, in percent, when the
 * server runs as an HTTP service. V8's default picks a factor of up to 4× under a steady high allocation rate (many
 * clients at once), so a process with ~27 MB of live heap sat at ~200 MB of RSS after 10,000 calls; at 30% it stays
 * near 150 MB for about 5% of the throughput (README "Performance"). stdio serves one conversation and is left alone.
 * V8 reads the flag at every full collection, so it can be set after start-up; an unknown flag only prints a line to
 * stderr.
 */
export const HTTP_HEAP_GROWING_PERCENT = 30;

/**
 * The largest semi-space (MB) an HTTP service lets V8 grow its young generation to: V8's own limit on 64-bit is 16,
 * so under load the young generation alone held 32 MB of RSS. A request's objects die within a call, so 8 MB
 * semi-spaces collect them as well (same per-call CPU in side-by-side runs) for about 16 MB less RSS.
 */
export const HTTP_MAX_SEMI_SPACE_MB = 8;

/** V8's semi-space growth factor (its default), and the factor that stops growth at the current size. */
const GROW = 2;
const HOLD = 1;

export function tuneHeapForService(transports: readonly string[], execArgv: readonly string[] = process.execArgv): boolean {
  if (!transports.some((t) => t !== 'stdio')) return false;
  setFlagsFromString(`--heap-growing-percent=${HTTP_HEAP_GROWING_PERCENT}`);
  // An operator's own `node --max-semi-space-size=N` wins.
  if (!execArgv.some((a) => /^--max[-_]semi[-_]space[-_]size\b/.test(a))) capYoungGeneration(HTTP_MAX_SEMI_SPACE_MB);
  return true;
}

/**
 * `--max-semi-space-size` is read only when the heap is set up, but the growth factor is read at every young
 * collection: after each one, growth is held while the young generation is at the cap and allowed again below it
 * (V8 shrinks it when the load drops). Returns the observer (disconnect to stop).
 */
export function capYoungGeneration(maxSemiSpaceMb: number): PerformanceObserver {
  // Loaded here: a stdio start-up does not need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { constants, PerformanceObserver } = require('node:perf_hooks') as typeof import('node:perf_hooks');
  const capBytes = 2 * maxSemiSpaceMb * 1024 * 1024; // the young generation is two semi-spaces
  let holding = false;
  const check = () => {
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    const atCap = !!young && young.space_size >= capBytes;
    if (atCap === holding) return;
    holding = atCap;
    setFlagsFromString(`--semi-space-growth-factor=${atCap ? HOLD : GROW}`);
  };
  const observer = new PerformanceObserver((list) => {
    if (list.getEntries().some((e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)) check();
  });
  observer.observe({ entryTypes: ['gc'] });
  // Start-up may have grown it to the cap already: the next collection must not grow it further.
  check();
  return observer;
}
