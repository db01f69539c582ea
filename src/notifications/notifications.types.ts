import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfoType } from '../graphql/pagination.js';
import type { NotificationRow } from './notifications.table.js';

export enum NotificationKindEnum {
  USAGE_50 = 'usage_50',
  USAGE_80 = 'usage_80',
  USAGE_100 = 'usage_100',
  OVERAGE_STARTED = 'overage_started',
}
registerEnumType(NotificationKindEnum, {
  name: 'NotificationKind',
  description: 'USAGE_50/80/100: a meter reached that share of its included units this period. OVERAGE_STARTED: the first unit above them.',
});

@ObjectType('Notification')
export class NotificationType {
  @Field(() => ID) id!: string;
  @Field(() => NotificationKindEnum) kind!: NotificationKindEnum;
  @Field(() => String) meter!: string;
  @Field(() => String) message!: string;
  @Field(() => DateTimeResolver) createdAt!: Date;
  @Field(() => DateTimeResolver, { nullable: true }) readAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'When it was emailed to the business; null if not (yet).' }) emailedAt!: Date | null;

  static from(row: NotificationRow): NotificationType {
    return Object.assign(new NotificationType(), {
      id: row.id,
      kind: row.kind as NotificationKindEnum,
      meter: row.meter,
      message: row.message,
      createdAt: row.createdAt,
      readAt: row.readAt,
      emailedAt: row.emailedAt,
    });
  }
}

@ObjectType('NotificationEdge')
export class NotificationEdgeType {
  @Field(() => String) cursor!: string;
  @Field(() => NotificationType) node!: NotificationType;
}

@ObjectType('NotificationConnection')
export class NotificationConnectionType {
  @Field(() => [NotificationEdgeType]) edges!: NotificationEdgeType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
}
