import type { Clock } from './clock/clock.js';
import type { Config } from './config/config.js';
import type { Database } from './db/client.js';
import type { Logger } from './log/logger.js';
import { PlanService } from './plans/plans.service.js';

/** The composition root: one instance of each domain service, shared by every request. */
export interface Services {
  config: Config;
  db: Database;
  clock: Clock;
  plans: PlanService;
}

export function createServices(deps: { config: Config; db: Database; clock: Clock; log: Logger }): Services {
  const { config, db, clock, log } = deps;
  return {
    config,
    db,
    clock,
    plans: new PlanService(db, clock, log.child({ module: 'plans' })),
  };
}
