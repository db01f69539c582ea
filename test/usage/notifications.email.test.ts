import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationsWithEmailDocument, RecordUsageBatchDocument, RecordUsageDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { callKey, createFreePlan, subscribed, usageWriter } from './usage.support.js';

interface Mail {
  from: string;
  to: string[];
  body: string;
}
const received: Mail[] = [];
let refuseNext = 0;
let smtp: SMTPServer;
let app: TestApp;

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      stream.on('end', () => {
        if (refuseNext > 0) {
          refuseNext--;
          return callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
        }
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  app = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'billing@example.test' });
  await createFreePlan(app, 'hard_four', [{ meter: 'calls', included: 4, enforcement: 'HARD' }]);
});
afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function setEmail(businessId: string, email: string | null) {
  const handle = app.database.connect();
  await handle.sql`update businesses set email = ${email} where id = ${businessId}`;
  await handle.close();
}

describe('notification emails', () => {
  it('emails each notification to the business once, from a job that retries a failed send', async () => {
    const owner = await subscribed(app, 'biz_mail', 'hard_four');
    await setEmail('biz_mail', 'owner@biz-mail.test');
    refuseNext = 1; // the first attempt fails; the job retries it
    const writer = await usageWriter(app);
    // 2 of 4: 50%; then 2 more at once: 80% and 100% in one transaction.
    await writer.request(RecordUsageDocument, { input: { businessId: 'biz_mail', meter: 'calls', quantity: 2, idempotencyKey: callKey() } });
    await writer.request(RecordUsageBatchDocument, {
      events: [1, 1].map((quantity) => ({ businessId: 'biz_mail', meter: 'calls', quantity, idempotencyKey: callKey() })),
    });

    const mails = await eventually(
      () => {
        const mine = received.filter((m) => m.to.includes('owner@biz-mail.test'));
        expect(mine).toHaveLength(3);
        return mine;
      },
      { timeoutMs: 25_000 },
    );
    expect(mails.every((m) => m.from === 'billing@example.test')).toBe(true);
    const subjects = mails.map((m) => /^Subject: (.*)$/m.exec(m.body)?.[1]).sort();
    expect(subjects).toEqual(['You have used 80% of your plan\'s allowance', 'You have used all of your plan\'s allowance', 'You have used half of your plan\'s allowance']);
    expect(mails.some((m) => m.body.includes('You have used all 4 calls included in your plan this period.'))).toBe(true);

    const nodes = await eventually(async () => {
      const edges = (await owner.request(NotificationsWithEmailDocument, { first: 10 })).billingAccount.notifications.edges;
      expect(edges.every((e) => e.node.emailedAt !== null)).toBe(true);
      return edges.map((e) => e.node);
    });
    expect(nodes.map((n) => n.kind).sort()).toEqual(['USAGE_100', 'USAGE_50', 'USAGE_80']);
    // Nothing is sent twice.
    await new Promise((r) => setTimeout(r, 1500));
    expect(received.filter((m) => m.to.includes('owner@biz-mail.test'))).toHaveLength(3);
  });

  it('keeps the notification and sends nothing when the business has no email', async () => {
    const owner = await subscribed(app, 'biz_no_mail', 'hard_four');
    const writer = await usageWriter(app);
    await writer.request(RecordUsageDocument, { input: { businessId: 'biz_no_mail', meter: 'calls', quantity: 4, idempotencyKey: callKey() } });
    const edges = (await owner.request(NotificationsWithEmailDocument, { first: 10 })).billingAccount.notifications.edges;
    expect(edges.map((e) => e.node.kind).sort()).toEqual(['USAGE_100', 'USAGE_50', 'USAGE_80']);
    const handle = app.database.connect();
    try {
      await eventually(async () => {
        const rows = await handle.sql<{ email_status: string }[]>`select email_status::text from notifications where business_id = 'biz_no_mail'`;
        expect(rows.map((r) => r.email_status)).toEqual(['not_needed', 'not_needed', 'not_needed']);
      });
    } finally {
      await handle.close();
    }
    expect(edges.every((e) => e.node.emailedAt === null)).toBe(true);
  });
});
