import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { BillingAccountResolver } from '../businesses/billing-account.resolver.js';
import { PaymentMethodsResolver } from '../payments/payments.resolver.js';
import { PlanResolver } from '../plans/plans.resolver.js';
import { PromotionResolver } from '../promotions/promotions.resolver.js';
import { WebhooksResolver } from '../webhooks/webhooks.resolver.js';
import { ClockResolver } from '../clock/clock.resolver.js';
import { RestrictionsResolver } from '../lifecycle/lifecycle.resolver.js';
import { SubscriptionUsageResolver, UsageResolver } from '../usage/usage.resolver.js';
import { BillingAccountNotificationsResolver, NotificationResolver } from '../notifications/notifications.resolver.js';
import { InvoiceFieldsResolver } from '../invoices/invoices.types.js';
import {
  BillingAccountSubscriptionResolver,
  PendingChangeResolver,
  SubscriptionResolver,
} from '../subscriptions/subscriptions.resolver.js';

/** Every resolver of every module; the emitted SDL in schema/schema.graphql is built from this list. */
const resolvers = [
  PlanResolver,
  BillingAccountResolver,
  PaymentMethodsResolver,
  WebhooksResolver,
  PromotionResolver,
  SubscriptionResolver,
  PendingChangeResolver,
  BillingAccountSubscriptionResolver,
  InvoiceFieldsResolver,
  ClockResolver,
  RestrictionsResolver,
  UsageResolver,
  SubscriptionUsageResolver,
  BillingAccountNotificationsResolver,
  NotificationResolver,
] as const;

export function buildGraphQLSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: false,
    emitSchemaFile: false,
  });
}

/** The SDL committed as schema/schema.graphql: sorted, so that it changes only when the schema does. */
export async function printGraphQLSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildGraphQLSchema())) + '\n';
}
