import { Ctx, Field, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import { BillingAccountType } from '../businesses/billing-account.types.js';
import type { RequestContext } from '../graphql/context.js';
import { findLive } from '../subscriptions/subscriptions.repo.js';
import { restrictionsFor } from './restrictions.js';

@ObjectType('Restrictions', { description: 'What an unpaid account may no longer do.' })
export class RestrictionsType {
  @Field(() => Boolean) usageBlocked!: boolean;
  @Field(() => Boolean) readOnly!: boolean;
  @Field(() => String, { nullable: true }) reason!: string | null;
}

@Resolver(() => BillingAccountType)
export class RestrictionsResolver {
  @FieldResolver(() => RestrictionsType)
  async restrictions(@Root() account: BillingAccountType, @Ctx() ctx: RequestContext): Promise<RestrictionsType> {
    const subscription = await findLive(ctx.services.db, account.id);
    return Object.assign(new RestrictionsType(), restrictionsFor(subscription?.status));
  }
}
