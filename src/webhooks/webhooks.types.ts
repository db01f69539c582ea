import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { StripeEventRow } from './stripe-events.table.js';

export enum WebhookEventStatus {
  RECEIVED = 'received',
  PROCESSED = 'processed',
  FAILED = 'failed',
  IGNORED = 'ignored',
}
registerEnumType(WebhookEventStatus, {
  name: 'WebhookEventStatus',
  description: 'RECEIVED: stored, waiting for its job. FAILED: its handler failed and is retried. IGNORED: no handler for the type.',
});

@ObjectType('StripeWebhookEvent', { description: 'A Stripe event in the webhook inbox.' })
export class StripeWebhookEventType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  type!: string;

  @Field(() => WebhookEventStatus)
  status!: WebhookEventStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeResolver, { description: 'When it happened at Stripe.' })
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  receivedAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true })
  processedAt!: Date | null;

  static from(row: StripeEventRow): StripeWebhookEventType {
    return Object.assign(new StripeWebhookEventType(), {
      id: row.id,
      type: row.type,
      status: row.status as WebhookEventStatus,
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: row.createdAt,
      receivedAt: row.receivedAt,
      processedAt: row.processedAt,
    });
  }
}
