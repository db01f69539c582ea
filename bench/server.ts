/**
 * The billing API as a child process of the benchmark, so that the load generator does not share
 * its event loop. Reads the ordinary environment (DATABASE_URL, PORT, AUTH_JWT_SECRET, ...).
 * Answers "cpu" with the CPU time it has used, and exits on "stop".
 */
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/log/logger.js';

const config = loadConfig();
const app = await startApp(config, { databaseUrl: config.databaseUrl!, log: createLogger(config.logLevel) });
process.send?.({ url: app.url });
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  }
  if (message === 'stop') void app.stop().then(() => process.exit(0));
});
