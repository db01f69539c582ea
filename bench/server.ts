/**
 * The billing API as a child process of the benchmark, so that the load generator does not share
 * its event loop. Reads the ordinary environment (DATABASE_URL, PORT, AUTH_JWT_SECRET, ...).
 * Answers "stats" with the CPU time it has used and its event loop's delay since the last "stats"
 * (so the benchmark can tell a stalled API from a slow database), and exits on "stop".
 */
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/log/logger.js';
import { watchEventLoopDelay } from './measure.js';

const config = loadConfig();
const app = await startApp(config, { databaseUrl: config.databaseUrl!, log: createLogger(config.logLevel) });
const loopDelay = watchEventLoopDelay();
process.send?.({ url: app.url });
process.on('message', (message) => {
  if (message === 'stats') {
    const { user, system } = process.cpuUsage();
    const delay = loopDelay.read();
    process.send?.({ cpuMicros: user + system, loopDelayP99Ms: delay.p99, loopDelayMaxMs: delay.max });
    loopDelay.reset();
  }
  if (message === 'stop') void app.stop().then(() => process.exit(0));
});
