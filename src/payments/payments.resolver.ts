import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { requireBusinessManager } from '../auth/guards.js';
import { BillingAccountType } from '../businesses/billing-account.types.js';
import type { RequestContext } from '../graphql/context.js';
import { PaymentMethodType, SetupIntentType } from './payments.types.js';

@Resolver(() => BillingAccountType)
export class PaymentMethodsResolver {
  @FieldResolver(() => [PaymentMethodType], { description: 'Saved cards, the default first.' })
  async paymentMethods(@Root() account: BillingAccountType, @Ctx() ctx: RequestContext): Promise<PaymentMethodType[]> {
    return (await ctx.services.paymentMethods.list(account.id)).map(PaymentMethodType.from);
  }

  @Mutation(() => SetupIntentType, { description: 'Start saving a card: confirm the answer with Stripe.js.' })
  async createSetupIntent(@Ctx() ctx: RequestContext): Promise<SetupIntentType> {
    const { businessId } = requireBusinessManager(ctx.principal);
    const intent = await ctx.services.paymentMethods.createSetupIntent(businessId);
    return Object.assign(new SetupIntentType(), { setupIntentId: intent.id, clientSecret: intent.clientSecret });
  }

  @Mutation(() => PaymentMethodType, { description: 'Save a card collected by Stripe.js (a pm_ id). The first card becomes the default.' })
  async attachPaymentMethod(
    @Ctx() ctx: RequestContext,
    @Arg('paymentMethodId', () => String) paymentMethodId: string,
    @Arg('makeDefault', () => Boolean, { nullable: true }) makeDefault?: boolean,
  ): Promise<PaymentMethodType> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    return PaymentMethodType.from(await ctx.services.paymentMethods.attach(businessId, paymentMethodId, makeDefault ?? false, actor));
  }

  @Mutation(() => PaymentMethodType)
  async setDefaultPaymentMethod(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<PaymentMethodType> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    return PaymentMethodType.from(await ctx.services.paymentMethods.setDefault(businessId, id, actor));
  }

  @Mutation(() => Boolean, { description: 'Remove a saved card. True when it is gone.' })
  async detachPaymentMethod(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    await ctx.services.paymentMethods.detach(businessId, id, actor);
    return true;
  }
}
