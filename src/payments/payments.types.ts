import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { PaymentMethodRow } from './payment-methods.table.js';

@ObjectType('PaymentMethod', { description: 'A saved card. Card numbers never reach this service.' })
export class PaymentMethodType {
  @Field(() => ID, { description: 'Stripe payment method id.' })
  id!: string;

  @Field(() => String)
  brand!: string;

  @Field(() => String)
  last4!: string;

  @Field(() => Int)
  expMonth!: number;

  @Field(() => Int)
  expYear!: number;

  @Field(() => Boolean, { description: 'Charged for renewals and invoices.' })
  isDefault!: boolean;

  static from(row: PaymentMethodRow): PaymentMethodType {
    return Object.assign(new PaymentMethodType(), {
      id: row.id,
      brand: row.brand,
      last4: row.last4,
      expMonth: row.expMonth,
      expYear: row.expYear,
      isDefault: row.isDefault,
    });
  }
}

@ObjectType('SetupIntent', { description: 'Give clientSecret to Stripe.js to collect a card.' })
export class SetupIntentType {
  @Field(() => String)
  setupIntentId!: string;

  @Field(() => String)
  clientSecret!: string;
}
