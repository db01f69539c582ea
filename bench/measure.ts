/** Figures the benchmark's processes share: latency quantiles and event-loop delay. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Sorts `latencies` (ms) and answers the value at a quantile (0 to 1), to 0.1 ms; NaN when there are none. */
export function quantilesOf(latencies: number[]): (q: number) => number {
  latencies.sort((a, b) => a - b);
  return (q) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN) * 10) / 10;
}

const LOOP_RESOLUTION_MS = 5;

/**
 * Watches this process's event-loop delay (ms). The histogram holds whole intervals between its
 * ticks, so the delay is what exceeds the resolution: an idle loop reads 0, not 5.
 */
export function watchEventLoopDelay() {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  histogram.enable();
  const delay = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
  return {
    read: () => ({ p99: delay(histogram.percentile(99)), max: delay(histogram.max) }),
    reset: () => histogram.reset(),
    stop: () => histogram.disable(),
  };
}
