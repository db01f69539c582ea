import { Field, ID, ObjectType } from 'type-graphql';

/** A business's billing account; each module adds its fields with field resolvers. */
@ObjectType('BillingAccount')
export class BillingAccountType {
  @Field(() => ID, { description: 'The business id (the token\'s business_id).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Name on invoices.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Where billing emails go.' })
  email?: string | null;

  static of(businessId: string): BillingAccountType {
    return Object.assign(new BillingAccountType(), { id: businessId });
  }
}
