import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { PageInfoType } from '../graphql/pagination.js';
import type { BillingEventRow } from './history.table.js';

@ObjectType('BillingHistoryEntry', { description: 'One change to the billing account, with who made it.' })
export class HistoryEntryType {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'e.g. subscription.created, invoice.paid, payment.failed.' }) type!: string;
  @Field(() => DateTimeResolver) occurredAt!: Date;
  @Field(() => String) description!: string;
  @Field(() => String, { description: 'A user id, or service, system, stripe.' }) actor!: string;

  static from(row: BillingEventRow): HistoryEntryType {
    return Object.assign(new HistoryEntryType(), { id: row.id, type: row.type, occurredAt: row.occurredAt, description: row.description, actor: row.actor });
  }
}

@ObjectType('BillingHistoryEdge')
export class HistoryEdgeType {
  @Field(() => String) cursor!: string;
  @Field(() => HistoryEntryType) node!: HistoryEntryType;
}

@ObjectType('BillingHistoryConnection')
export class HistoryConnectionType {
  @Field(() => [HistoryEdgeType]) edges!: HistoryEdgeType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
}
