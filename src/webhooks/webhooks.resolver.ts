import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireOperator } from '../auth/guards.js';
import { BadUserInputError } from '../errors/errors.js';
import type { RequestContext } from '../graphql/context.js';
import { StripeWebhookEventType, WebhookEventStatus } from './webhooks.types.js';

@Resolver(() => StripeWebhookEventType)
export class WebhooksResolver {
  @Query(() => [StripeWebhookEventType], { description: 'Operators: the webhook inbox, newest first (default: failed events).' })
  async stripeWebhookEvents(
    @Ctx() ctx: RequestContext,
    @Arg('statuses', () => [WebhookEventStatus], { defaultValue: [WebhookEventStatus.FAILED] }) statuses: WebhookEventStatus[],
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
  ): Promise<StripeWebhookEventType[]> {
    requireOperator(ctx.principal);
    if (first < 1 || first > 500) throw new BadUserInputError('first must be from 1 to 500', 'first');
    return (await ctx.services.webhooks.list(statuses, first)).map(StripeWebhookEventType.from);
  }

  @Mutation(() => StripeWebhookEventType, { description: 'Operators: run a failed or ignored event\'s handler again, now.' })
  async replayStripeWebhookEvent(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<StripeWebhookEventType> {
    const operator = requireOperator(ctx.principal);
    return StripeWebhookEventType.from(await ctx.services.webhooks.replay(id, operator.subject));
  }
}
