import { DateTimeResolver } from 'graphql-scalars';
import { Ctx, Field, FieldResolver, ID, Int, ObjectType, registerEnumType, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../graphql/context.js';
import { MoneyType } from '../graphql/money.type.js';
import { PageInfoType } from '../graphql/pagination.js';
import type { InvoiceLineRow, InvoiceRow, PaymentRow } from './invoices.table.js';

export enum InvoiceStatus { DRAFT = 'draft', OPEN = 'open', PAID = 'paid', VOID = 'void', UNCOLLECTIBLE = 'uncollectible' }
registerEnumType(InvoiceStatus, { name: 'InvoiceStatus' });
export enum InvoiceLineKind { SUBSCRIPTION = 'subscription', PRORATION = 'proration', OVERAGE = 'overage', DISCOUNT = 'discount', CREDIT = 'credit', TAX = 'tax' }
registerEnumType(InvoiceLineKind, { name: 'InvoiceLineKind' });
export enum PaymentStatus { PENDING = 'pending', SUCCEEDED = 'succeeded', FAILED = 'failed', REQUIRES_ACTION = 'requires_action' }
registerEnumType(PaymentStatus, { name: 'PaymentStatus' });

const money = (amount: number, currency: string) => MoneyType.of({ amount, currency });

@ObjectType('InvoiceLine')
export class InvoiceLineType {
  @Field(() => InvoiceLineKind) kind!: InvoiceLineKind;
  @Field(() => String) description!: string;
  @Field(() => Int) quantity!: number;
  @Field(() => MoneyType) unitAmount!: MoneyType;
  @Field(() => MoneyType) amount!: MoneyType;
  @Field(() => DateTimeResolver) periodStart!: Date;
  @Field(() => DateTimeResolver) periodEnd!: Date;

  static from(row: Omit<InvoiceLineRow, 'id' | 'invoiceId' | 'position'>, currency: string): InvoiceLineType {
    return Object.assign(new InvoiceLineType(), {
      kind: row.kind as InvoiceLineKind,
      description: row.description,
      quantity: row.quantity,
      unitAmount: money(row.unitAmount, currency),
      amount: money(row.amount, currency),
      periodStart: row.periodStart,
      periodEnd: row.periodEnd,
    });
  }
}

@ObjectType('Payment', { description: 'One charge attempt of an invoice.' })
export class PaymentType {
  @Field(() => PaymentStatus) status!: PaymentStatus;
  @Field(() => MoneyType) amount!: MoneyType;
  @Field(() => String, { nullable: true, description: 'Stripe decline code of a failed attempt.' }) failureCode!: string | null;
  @Field(() => DateTimeResolver) createdAt!: Date;

  static from(row: PaymentRow): PaymentType {
    return Object.assign(new PaymentType(), { status: row.status as PaymentStatus, amount: money(row.amount, row.currency), failureCode: row.failureCode, createdAt: row.createdAt });
  }
}

@ObjectType('Invoice')
export class InvoiceType {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: '<PREFIX>-0001, gapless per business.' }) number!: string | null;
  @Field(() => InvoiceStatus) status!: InvoiceStatus;
  @Field(() => String) currency!: string;
  @Field(() => MoneyType) subtotal!: MoneyType;
  @Field(() => MoneyType, { description: 'Total of the DISCOUNT lines, as a positive amount.' }) discount!: MoneyType;
  @Field(() => MoneyType) tax!: MoneyType;
  @Field(() => MoneyType) total!: MoneyType;
  @Field(() => MoneyType, { description: 'total plus the CREDIT lines.' }) amountDue!: MoneyType;
  @Field(() => MoneyType) amountPaid!: MoneyType;
  @Field(() => DateTimeResolver) periodStart!: Date;
  @Field(() => DateTimeResolver) periodEnd!: Date;
  @Field(() => DateTimeResolver) createdAt!: Date;
  @Field(() => DateTimeResolver, { nullable: true }) dueAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true }) paidAt!: Date | null;
  @Field(() => Int) attemptCount!: number;
  @Field(() => DateTimeResolver, { nullable: true }) nextPaymentAttemptAt!: Date | null;

  row!: InvoiceRow;

  static from(row: InvoiceRow): InvoiceType {
    const c = row.currency;
    return Object.assign(new InvoiceType(), {
      row,
      id: row.id,
      number: row.number,
      status: row.status as InvoiceStatus,
      currency: c,
      subtotal: money(row.subtotal, c),
      discount: money(row.discount, c),
      tax: money(row.tax, c),
      total: money(row.total, c),
      amountDue: money(row.amountDue, c),
      amountPaid: money(row.amountPaid, c),
      periodStart: row.periodStart,
      periodEnd: row.periodEnd,
      createdAt: row.createdAt,
      dueAt: row.dueAt,
      paidAt: row.paidAt,
      attemptCount: row.attemptCount,
      nextPaymentAttemptAt: row.nextPaymentAttemptAt,
    });
  }
}

@Resolver(() => InvoiceType)
export class InvoiceFieldsResolver {
  @FieldResolver(() => [InvoiceLineType])
  async lines(@Root() invoice: InvoiceType, @Ctx() ctx: RequestContext): Promise<InvoiceLineType[]> {
    return (await ctx.loaders.invoiceLines.load(invoice.id)).map((line) => InvoiceLineType.from(line, invoice.currency));
  }

  @FieldResolver(() => String, { description: 'A link to the invoice PDF, valid for 15 minutes.' })
  pdfUrl(@Root() invoice: InvoiceType, @Ctx() ctx: RequestContext): Promise<string> {
    return ctx.services.invoices.pdfUrl(ctx.baseUrl, invoice.row);
  }

  @FieldResolver(() => [PaymentType])
  async payments(@Root() invoice: InvoiceType, @Ctx() ctx: RequestContext): Promise<PaymentType[]> {
    return (await ctx.loaders.invoicePayments.load(invoice.id)).map(PaymentType.from);
  }
}

@ObjectType('InvoiceEdge')
export class InvoiceEdgeType {
  @Field(() => String) cursor!: string;
  @Field(() => InvoiceType) node!: InvoiceType;
}

@ObjectType('InvoiceConnection')
export class InvoiceConnectionType {
  @Field(() => [InvoiceEdgeType]) edges!: InvoiceEdgeType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
}
