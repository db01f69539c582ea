import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { requireBusinessReader } from '../auth/guards.js';
import { BillingAccountType } from '../businesses/billing-account.types.js';
import type { RequestContext } from '../graphql/context.js';
import { decodeCursor, pageSize, toConnection } from '../graphql/pagination.js';
import { NotificationConnectionType, NotificationType } from './notifications.types.js';

@Resolver(() => BillingAccountType)
export class BillingAccountNotificationsResolver {
  @FieldResolver(() => NotificationConnectionType, { description: 'Usage notifications, newest first.' })
  async notifications(
    @Root() account: BillingAccountType,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<NotificationConnectionType> {
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    const rows = await ctx.services.notifications.list(account.id, size + 1, cursor && { createdAt: cursor.at, id: cursor.id });
    return toConnection(rows, size, (row) => ({ at: row.createdAt, id: row.id }), NotificationType.from);
  }
}

@Resolver(() => NotificationType)
export class NotificationResolver {
  @Mutation(() => NotificationType, { description: 'Any user of the business (owner, admin, member).' })
  async markNotificationRead(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<NotificationType> {
    const businessId = requireBusinessReader(ctx.principal);
    return NotificationType.from(await ctx.services.notifications.markRead(businessId, id));
  }
}
