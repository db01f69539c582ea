/**
 * The billing API as a child process of the benchmark, so that the load generator does not share
 * its event loop. Reads the ordinary environment (DATABASE_URL, PORT, AUTH_JWT_SECRET, ...).
 * Answers "stats" with the CPU time it has used and its event loop's delay since the last "stats"
 * (so the benchmark can tell a stalled API from a slow database), and exits on "stop".
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/log/logger.js';

const config = loadConfig();
const app = await startApp(config, { databaseUrl: config.databaseUrl!, log: createLogger(config.logLevel) });
const LOOP_RESOLUTION_MS = 5;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();
process.send?.({ url: app.url });
process.on('message', (message) => {
  if (message === 'stats') {
    const { user, system } = process.cpuUsage();
    // The histogram holds whole intervals between ticks: the delay is what exceeds the resolution.
    const delay = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
    process.send?.({ cpuMicros: user + system, loopDelayP99Ms: delay(loopDelay.percentile(99)), loopDelayMaxMs: delay(loopDelay.max) });
    loopDelay.reset();
  }
  if (message === 'stop') void app.stop().then(() => process.exit(0));
});
