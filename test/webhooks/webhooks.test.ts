import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachPaymentMethodDocument,
  PaymentMethodsDocument,
  ReplayStripeWebhookEventDocument,
  StripeWebhookEventsDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { eventually } from '../support/eventually.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => app.stripe.sandbox!.faults.clear());
afterAll(() => app?.close());

let sequence = 0;
function stripeEvent(type: string, object: Record<string, unknown> = { id: 'cus_unknown', object: 'customer' }) {
  sequence += 1;
  return {
    id: `evt_test_${Date.now()}_${sequence}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

async function deliver(
  body: string,
  options: { secret?: string; timestamp?: number; signatureOf?: string; header?: string | null } = {},
): Promise<Response> {
  const signature =
    options.header !== undefined
      ? options.header
      : app.stripe.stripe.webhooks.generateTestHeaderString({
          payload: options.signatureOf ?? body,
          secret: options.secret ?? app.stripe.webhookSecret,
          timestamp: options.timestamp,
        });
  return fetch(`${app.url}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    body,
  });
}

async function storedEvent(id: string) {
  const handle = app.database.connect();
  try {
    const [row] = await handle.sql<{ status: string; attempts: number; last_error: string | null }[]>`
      select status, attempts, last_error from stripe_events where id = ${id}`;
    return row;
  } finally {
    await handle.close();
  }
}

describe('POST /webhooks/stripe', () => {
  it('stores a correctly signed event, answers 200, and processes it from the queue', async () => {
    const event = stripeEvent('customer.updated');
    const response = await deliver(JSON.stringify(event));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, eventId: event.id, duplicate: false });
    await eventually(async () => expect(await storedEvent(event.id)).toEqual({ status: 'processed', attempts: 1, last_error: null }));
  });

  it.each([
    ['a tampered body', (body: string) => deliver(body.replace('customer.updated', 'customer.deleted'), { signatureOf: body })],
    ['another endpoint\'s secret', (body: string) => deliver(body, { secret: 'whsec_someone_else' })],
    ['a signature older than five minutes', (body: string) => deliver(body, { timestamp: Math.floor(Date.now() / 1000) - 301 })],
    ['no signature', (body: string) => deliver(body, { header: null })],
    ['a malformed signature header', (body: string) => deliver(body, { header: 't=abc,v1=zzz' })],
  ])('refuses %s with 400 and stores nothing', async (_what, send) => {
    const event = stripeEvent('customer.updated');
    const response = await send(JSON.stringify(event));
    expect(response.status).toBe(400);
    expect(await storedEvent(event.id)).toBeUndefined();
  });

  it('answers a duplicate delivery 200 and processes the event once', async () => {
    const event = stripeEvent('customer.updated');
    const body = JSON.stringify(event);
    const [first, second] = await Promise.all([deliver(body), deliver(body)]);
    const answers = [await first.json(), await second.json()] as { duplicate: boolean }[];
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(answers.map((a) => a.duplicate).sort()).toEqual([false, true]);
    await eventually(async () => expect((await storedEvent(event.id))?.status).toBe('processed'));
    const third = await deliver(body);
    expect(await third.json()).toMatchObject({ duplicate: true });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time for a wrongly queued second job to run
    expect((await storedEvent(event.id))?.attempts).toBe(1);
  });

  it('records and acknowledges an event type it has no handler for', async () => {
    const event = stripeEvent('balance.available', { object: 'balance', available: [] });
    expect((await deliver(JSON.stringify(event))).status).toBe(200);
    await eventually(async () => expect((await storedEvent(event.id))?.status).toBe('ignored'));
  });

  it('keeps a card detached when the attach event arrives after the detach event', async () => {
    const sandbox = app.stripe.sandbox!;
    const owner = await app.ownerOf('biz_out_of_order');
    const releaseAttached = sandbox.faults.webhooks.holdNext();
    const { attachPaymentMethod: card } = await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_visa' });

    // Detached at Stripe directly (its dashboard, say): only the webhook tells us.
    await app.stripe.stripe.paymentMethods.detach(card.id);
    await eventually(async () => {
      const { billingAccount } = await owner.request(PaymentMethodsDocument, {});
      expect(billingAccount.paymentMethods).toEqual([]);
    });

    releaseAttached();
    await sandbox.webhooks.idle();
    const attached = sandbox.events.list({ type: 'payment_method.attached' }).find((e) => (e.data.object as { id: string }).id === card.id)!;
    await eventually(async () => expect((await storedEvent(attached.id))?.status).toBe('processed'));
    const { billingAccount } = await owner.request(PaymentMethodsDocument, {});
    expect(billingAccount.paymentMethods).toEqual([]);
  });

  it('retries a handler that failed (Stripe answered 500) until it succeeds', async () => {
    const sandbox = app.stripe.sandbox!;
    // Three 500s: the SDK's own two retries fail too, so the first processing attempt fails.
    sandbox.faults.failNext({ method: 'GET', path: /^\/v1\/payment_methods\/pm_/, times: 3, kind: { status: 500 } });
    const owner = await app.ownerOf('biz_handler_retry');
    const { attachPaymentMethod: card } = await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_mastercard' });
    await sandbox.webhooks.idle();
    const attached = sandbox.events.list({ type: 'payment_method.attached' }).find((e) => (e.data.object as { id: string }).id === card.id)!;

    const final = await eventually(async () => {
      const row = await storedEvent(attached.id);
      expect(row?.status).toBe('processed');
      return row!;
    }, { timeoutMs: 30_000 });
    expect(final.attempts).toBe(2);
    expect(final.last_error).toBeNull();
  });

  it('lets an operator list failed events and replay one', async () => {
    const sandbox = app.stripe.sandbox!;
    sandbox.faults.failNext({ method: 'GET', path: /^\/v1\/payment_methods\/pm_/, times: 1000, kind: { status: 500 } });
    const owner = await app.ownerOf('biz_replay');
    const { attachPaymentMethod: card } = await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_visa' });
    await sandbox.webhooks.idle();
    const attached = sandbox.events.list({ type: 'payment_method.attached' }).find((e) => (e.data.object as { id: string }).id === card.id)!;

    const operator = await app.operator();
    const failed = await eventually(async () => {
      const { stripeWebhookEvents } = await operator.request(StripeWebhookEventsDocument, { statuses: ['FAILED'] });
      const mine = stripeWebhookEvents.find((e) => e.id === attached.id);
      expect(mine).toBeDefined();
      return mine!;
    }, { timeoutMs: 30_000 });
    expect(failed).toMatchObject({ type: 'payment_method.attached', status: 'FAILED' });
    expect(failed.lastError).toBeTruthy();

    sandbox.faults.clear();
    const { replayStripeWebhookEvent } = await operator.request(ReplayStripeWebhookEventDocument, { id: attached.id });
    expect(replayStripeWebhookEvent).toMatchObject({ id: attached.id, status: 'PROCESSED', lastError: null });

    await expectGraphQLError(owner.request(ReplayStripeWebhookEventDocument, { id: attached.id }), 'FORBIDDEN');
    await expectGraphQLError(owner.request(StripeWebhookEventsDocument, {}), 'FORBIDDEN');
    await expectGraphQLError(operator.request(ReplayStripeWebhookEventDocument, { id: 'evt_nope' }), 'NOT_FOUND');
  });
});
