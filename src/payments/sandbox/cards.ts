/**
 * Stripe's test payment-method tokens (`pm_card_*`) and the outcome Stripe's test mode gives each.
 * https://docs.stripe.com/testing — card numbers' last4 are kept so `card.last4` reads like Stripe's.
 */

export type CardBrand = 'visa' | 'mastercard';

/** What happens when the card is verified (attach / setup) or charged. */
export type CardOutcome =
  | { kind: 'succeed' }
  /** Declined by the issuer: `code` is Stripe's error code, `declineCode` its decline_code. */
  | { kind: 'decline'; code: 'card_declined' | 'expired_card'; declineCode: string; message: string; param?: string }
  /** 3-D Secure on every transaction: on-session → requires_action; off-session → authentication_required. */
  | { kind: 'authenticate' };

export interface TestCard {
  token: string;
  brand: CardBrand;
  last4: string;
  funding: 'credit';
  country: string;
  /** Outcome when the card is checked at attach / SetupIntent confirm time. */
  onVerify: CardOutcome;
  /** Outcome when a PaymentIntent charges it. */
  onCharge: CardOutcome;
}

const succeed: CardOutcome = { kind: 'succeed' };
const genericDecline: CardOutcome = {
  kind: 'decline',
  code: 'card_declined',
  declineCode: 'generic_decline',
  message: 'Your card was declined.',
};
const insufficientFunds: CardOutcome = {
  kind: 'decline',
  code: 'card_declined',
  declineCode: 'insufficient_funds',
  message: 'Your card has insufficient funds.',
};
const expired: CardOutcome = {
  kind: 'decline',
  code: 'expired_card',
  declineCode: 'expired_card',
  message: 'Your card has expired.',
  param: 'exp_month',
};

// Stripe's test mode runs a card check when a card is attached or set up, so the always-declining
// cards already fail there; pm_card_chargeCustomerFail exists precisely because it passes that check
// and only fails when charged.
const cards: readonly TestCard[] = [
  { token: 'pm_card_visa', brand: 'visa', last4: '4242', funding: 'credit', country: 'US', onVerify: succeed, onCharge: succeed },
  { token: 'pm_card_mastercard', brand: 'mastercard', last4: '4444', funding: 'credit', country: 'US', onVerify: succeed, onCharge: succeed },
  { token: 'pm_card_chargeDeclined', brand: 'visa', last4: '0002', funding: 'credit', country: 'US', onVerify: genericDecline, onCharge: genericDecline },
  {
    token: 'pm_card_chargeDeclinedInsufficientFunds',
    brand: 'visa',
    last4: '9995',
    funding: 'credit',
    country: 'US',
    onVerify: insufficientFunds,
    onCharge: insufficientFunds,
  },
  { token: 'pm_card_chargeDeclinedExpiredCard', brand: 'visa', last4: '0069', funding: 'credit', country: 'US', onVerify: expired, onCharge: expired },
  {
    token: 'pm_card_authenticationRequired',
    brand: 'visa',
    last4: '3184',
    funding: 'credit',
    country: 'US',
    // Attaching does not authenticate; a SetupIntent does (requires_action), and so does every charge.
    onVerify: { kind: 'authenticate' },
    onCharge: { kind: 'authenticate' },
  },
  { token: 'pm_card_chargeCustomerFail', brand: 'visa', last4: '0341', funding: 'credit', country: 'US', onVerify: succeed, onCharge: genericDecline },
];

const byToken = new Map(cards.map((c) => [c.token, c]));

export function testCard(token: string): TestCard | undefined {
  return byToken.get(token);
}

export function isTestCardToken(id: string): boolean {
  return byToken.has(id);
}

export function allTestCards(): readonly TestCard[] {
  return cards;
}
