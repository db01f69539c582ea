import type postgres from 'postgres';
import type { BillingClock } from './clock/billing-clock.js';
import type { Config } from './config/config.js';
import type { Database, UsagePools } from './db/client.js';
import type { Logger } from './log/logger.js';
import { CustomerService } from './payments/customers.js';
import { PaymentGateway } from './payments/gateway.js';
import { PaymentMethodService } from './payments/payment-methods.service.js';
import type { StripeConnection } from './payments/stripe-client.js';
import { InvoiceService } from './invoices/invoices.service.js';
import { LifecycleService } from './lifecycle/lifecycle.service.js';
import { PdfLinks } from './invoices/pdf-links.js';
import { PlanService } from './plans/plans.service.js';
import { PromotionService } from './promotions/promotions.service.js';
import type { Queue } from './queue/queue.js';
import { isFirstTimeCustomer } from './subscriptions/subscriptions.repo.js';
import { SubscriptionService } from './subscriptions/subscriptions.service.js';
import { WebhookService } from './webhooks/webhooks.service.js';
import { NotificationService } from './notifications/notifications.service.js';
import { overageLines, UsageService } from './usage/usage.service.js';

/** The composition root: one instance of each domain service, shared by every request. */
export interface Services {
  config: Config;
  db: Database;
  clock: BillingClock;
  plans: PlanService;
  promotions: PromotionService;
  gateway: PaymentGateway;
  customers: CustomerService;
  paymentMethods: PaymentMethodService;
  invoices: InvoiceService;
  subscriptions: SubscriptionService;
  lifecycle: LifecycleService;
  webhooks: WebhookService;
  usage: UsageService;
  notifications: NotificationService;
}

export interface ServiceDeps {
  config: Config;
  db: Database;
  sql: postgres.Sql;
  /** The usage hot path's own pools (connectUsagePools). */
  usagePools: UsagePools;
  clock: BillingClock;
  log: Logger;
  stripe: StripeConnection;
  queue: Queue;
  linkSigningSecret: string;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, db, sql, usagePools, clock, log, stripe, queue } = deps;
  const gateway = new PaymentGateway(stripe.stripe);
  const customers = new CustomerService(db, gateway);
  const paymentMethods = new PaymentMethodService(db, gateway, customers, clock, log.child({ module: 'payment-methods' }));
  const promotions = new PromotionService(db, clock, log.child({ module: 'promotions' }), isFirstTimeCustomer);
  const invoices = new InvoiceService(db, gateway, customers, new PdfLinks(deps.linkSigningSecret), clock, log.child({ module: 'invoices' }));
  const subscriptions = new SubscriptionService(db, invoices, paymentMethods, promotions, overageLines, clock, log.child({ module: 'subscriptions' }));
  const lifecycle = new LifecycleService(db, subscriptions, invoices, log.child({ module: 'lifecycle' }));
  const webhooks = new WebhookService({
    db,
    sql,
    queue,
    stripe: stripe.stripe,
    webhookSecret: stripe.webhookSecret,
    clock,
    handlers: { paymentMethods, invoices, gateway },
    log: log.child({ module: 'webhooks' }),
  });
  return {
    config,
    db,
    clock,
    plans: new PlanService(db, clock, log.child({ module: 'plans' })),
    promotions,
    gateway,
    customers,
    paymentMethods,
    invoices,
    subscriptions,
    lifecycle,
    webhooks,
    usage: new UsageService({ db, pools: usagePools, clock, queue, log: log.child({ module: 'usage' }), emailEnabled: Boolean(config.mail.smtpUrl) }),
    notifications: new NotificationService({ db, queue, clock, log: log.child({ module: 'notifications' }), smtpUrl: config.mail.smtpUrl, mailFrom: config.mail.from }),
  };
}
