import { Field, ID, ObjectType } from 'type-graphql';

/** A business's billing account; each module adds its fields with field resolvers. */
@ObjectType('BillingAccount')
export class BillingAccountType {
  @Field(() => ID, { description: 'The business id (the token\'s business_id).' })
  id!: string;

  static of(businessId: string): BillingAccountType {
    return Object.assign(new BillingAccountType(), { id: businessId });
  }
}
