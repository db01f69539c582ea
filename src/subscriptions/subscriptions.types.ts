import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { InvoiceLineType } from '../invoices/invoices.types.js';
import type { InvoiceDraft } from '../invoices/invoice-math.js';
import { MoneyType } from '../graphql/money.type.js';
import type { DiscountSnapshot } from '../promotions/promotions.model.js';
import type { SubscriptionRow } from './subscriptions.table.js';

export enum SubscriptionStatus {
  TRIALING = 'trialing',
  ACTIVE = 'active',
  INCOMPLETE = 'incomplete',
  PAST_DUE = 'past_due',
  UNPAID = 'unpaid',
  CANCELED = 'canceled',
}
registerEnumType(SubscriptionStatus, { name: 'SubscriptionStatus', description: 'Stripe\'s names for subscription states.' });

export enum ChangeTimingEnum {
  IMMEDIATELY = 'immediately',
  PERIOD_END = 'period_end',
}
registerEnumType(ChangeTimingEnum, {
  name: 'ChangeTiming',
  description: 'Default: upgrades apply IMMEDIATELY (prorated), downgrades at PERIOD_END.',
});

@ObjectType('PendingChange')
export class PendingChangeType {
  planId!: string;
  @Field(() => DateTimeResolver) effectiveAt!: Date;
}

@ObjectType('Discount', { description: 'A redeemed promo code, as it was when redeemed.' })
export class DiscountType {
  @Field(() => String) promoCode!: string;
  @Field(() => Int, { nullable: true }) percentOff!: number | null;
  @Field(() => MoneyType, { nullable: true }) amountOff!: MoneyType | null;
  @Field(() => String, { description: 'once, repeating or forever.' }) duration!: string;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Repeating discounts end here; null for once (first invoice only) and forever.' })
  endsAt!: Date | null;

  static from(discount: DiscountSnapshot): DiscountType {
    return Object.assign(new DiscountType(), {
      promoCode: discount.code.toUpperCase(),
      percentOff: discount.percentOff,
      amountOff: discount.amountOff ? MoneyType.of(discount.amountOff) : null,
      duration: discount.duration,
      endsAt: discount.endsAt ? new Date(discount.endsAt) : null,
    });
  }
}

@ObjectType('Subscription')
export class SubscriptionType {
  @Field(() => ID) id!: string;
  @Field(() => SubscriptionStatus) status!: SubscriptionStatus;
  @Field(() => DateTimeResolver) currentPeriodStart!: Date;
  @Field(() => DateTimeResolver) currentPeriodEnd!: Date;
  @Field(() => DateTimeResolver, { nullable: true }) trialEndsAt!: Date | null;
  @Field(() => Boolean) cancelAtPeriodEnd!: boolean;
  @Field(() => DateTimeResolver, { nullable: true }) canceledAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true }) endedAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true }) graceEndsAt!: Date | null;
  @Field(() => PendingChangeType, { nullable: true }) pendingChange!: PendingChangeType | null;
  @Field(() => DiscountType, { nullable: true }) discount!: DiscountType | null;
  @Field(() => Int, { description: 'Bumped on every change.' }) version!: number;

  row!: SubscriptionRow;

  static from(row: SubscriptionRow): SubscriptionType {
    return Object.assign(new SubscriptionType(), {
      row,
      id: row.id,
      status: row.status as SubscriptionStatus,
      currentPeriodStart: row.currentPeriodStart,
      currentPeriodEnd: row.currentPeriodEnd,
      trialEndsAt: row.trialEndsAt,
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      canceledAt: row.canceledAt,
      endedAt: row.endedAt,
      graceEndsAt: row.graceEndsAt,
      version: row.version,
      discount: row.discount ? DiscountType.from(row.discount) : null,
      pendingChange:
        row.pendingPlanId && row.pendingChangeAt
          ? Object.assign(new PendingChangeType(), { planId: row.pendingPlanId, effectiveAt: row.pendingChangeAt })
          : null,
    });
  }
}

@ObjectType('InvoicePreview', { description: 'An invoice as it would be, computed by the code that charges; nothing is stored.' })
export class InvoicePreviewType {
  @Field(() => MoneyType) subtotal!: MoneyType;
  @Field(() => MoneyType) total!: MoneyType;
  @Field(() => MoneyType) amountDue!: MoneyType;
  @Field(() => DateTimeResolver) periodStart!: Date;
  @Field(() => DateTimeResolver) periodEnd!: Date;
  @Field(() => [InvoiceLineType]) lines!: InvoiceLineType[];

  static from(draft: InvoiceDraft): InvoicePreviewType {
    const money = (amount: number) => MoneyType.of({ amount, currency: draft.currency });
    return Object.assign(new InvoicePreviewType(), {
      subtotal: money(draft.subtotal),
      total: money(draft.total),
      amountDue: money(draft.amountDue),
      periodStart: draft.periodStart,
      periodEnd: draft.periodEnd,
      lines: draft.lines.map((line) => InvoiceLineType.from(line, draft.currency)),
    });
  }
}

@ObjectType('PlanChangePreview')
export class PlanChangePreviewType {
  @Field(() => DateTimeResolver) effectiveAt!: Date;
  @Field(() => MoneyType, { description: 'Charged now; zero for a change at period end or during a trial.' }) amountDueNow!: MoneyType;
  @Field(() => [InvoiceLineType]) lines!: InvoiceLineType[];
}

@InputType()
export class SubscribeInput {
  @Field(() => String) planCode!: string;
  @Field(() => String, { nullable: true, description: 'A pm_ id from Stripe.js; attached and made the default.' }) paymentMethodId?: string | null;
  @Field(() => String, { nullable: true }) promoCode?: string | null;
  @Field(() => String, { nullable: true, description: 'The same key from the same business gives the same answer and never a second charge.' }) idempotencyKey?: string | null;
}

@InputType()
export class ChangePlanInput {
  @Field(() => String) planCode!: string;
  @Field(() => ChangeTimingEnum, { nullable: true }) timing?: ChangeTimingEnum | null;
  @Field(() => String, { nullable: true }) idempotencyKey?: string | null;
}

@InputType()
export class CancelSubscriptionInput {
  @Field(() => Boolean, { description: 'True: service continues until the period end (resumeSubscription undoes it). False: ends now, no refund.' })
  atPeriodEnd!: boolean;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

