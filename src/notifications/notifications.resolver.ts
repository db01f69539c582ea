import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { requireBusinessReader } from '../auth/guards.js';
import { BillingAccountType } from '../businesses/billing-account.types.js';
import type { RequestContext } from '../graphql/context.js';
import { decodeCursor, encodeCursor, pageSize } from '../graphql/pagination.js';
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
    const edges = rows.slice(0, size).map((row) => ({ cursor: encodeCursor(row.createdAt, row.id), node: NotificationType.from(row) }));
    return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
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
