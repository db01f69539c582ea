import type postgres from 'postgres';
import type { Clock } from './clock/clock.js';
import type { Config } from './config/config.js';
import type { Database } from './db/client.js';
import type { Logger } from './log/logger.js';
import { CustomerService } from './payments/customers.js';
import { PaymentGateway } from './payments/gateway.js';
import { PaymentMethodService } from './payments/payment-methods.service.js';
import type { StripeConnection } from './payments/stripe-client.js';
import { PlanService } from './plans/plans.service.js';
import type { Queue } from './queue/queue.js';
import { WebhookService } from './webhooks/webhooks.service.js';

/** The composition root: one instance of each domain service, shared by every request. */
export interface Services {
  config: Config;
  db: Database;
  clock: Clock;
  plans: PlanService;
  gateway: PaymentGateway;
  customers: CustomerService;
  paymentMethods: PaymentMethodService;
  webhooks: WebhookService;
}

export interface ServiceDeps {
  config: Config;
  db: Database;
  sql: postgres.Sql;
  clock: Clock;
  log: Logger;
  stripe: StripeConnection;
  queue: Queue;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, db, sql, clock, log, stripe, queue } = deps;
  const gateway = new PaymentGateway(stripe.stripe);
  const customers = new CustomerService(db, gateway);
  const paymentMethods = new PaymentMethodService(db, gateway, customers, clock, log.child({ module: 'payment-methods' }));
  const webhooks = new WebhookService({
    db,
    sql,
    queue,
    stripe: stripe.stripe,
    webhookSecret: stripe.webhookSecret,
    clock,
    handlers: { paymentMethods },
    log: log.child({ module: 'webhooks' }),
  });
  return {
    config,
    db,
    clock,
    plans: new PlanService(db, clock, log.child({ module: 'plans' })),
    gateway,
    customers,
    paymentMethods,
    webhooks,
  };
}
