import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection, in percent, when the
 * server runs as an HTTP service. V8's default picks a factor of up to 4× under a steady high allocation rate (many
 * clients at once), so a process with ~27 MB of live heap sat at ~200 MB of RSS after 10,000 calls; at 30% it stays
 * near 150 MB for about 5% of the throughput (README "Performance"). stdio serves one conversation and is left alone.
 * V8 reads the flag at every full collection, so it can be set after start-up; an unknown flag only prints a line to
 * stderr.
 */
export const HTTP_HEAP_GROWING_PERCENT = 30;

export function tuneHeapForService(transports: readonly string[]): boolean {
  if (!transports.some((t) => t !== 'stdio')) return false;
  setFlagsFromString(`--heap-growing-percent=${HTTP_HEAP_GROWING_PERCENT}`);
  return true;
}
