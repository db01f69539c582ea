import { Field, Int, ObjectType } from 'type-graphql';
import { formatMoney, type Money } from '../money/money.js';

@ObjectType('Money', { description: 'An amount in the currency\'s minor unit (cents for USD, none for JPY).' })
export class MoneyType {
  @Field(() => Int, { description: 'Integer minor units.' })
  amount!: number;

  @Field(() => String, { description: 'ISO 4217 code, lower case.' })
  currency!: string;

  @Field(() => String, { description: 'For display only, e.g. "$19.99".' })
  get formatted(): string {
    return formatMoney(this);
  }

  static of(money: Money): MoneyType {
    return Object.assign(new MoneyType(), { amount: money.amount, currency: money.currency });
  }
}
