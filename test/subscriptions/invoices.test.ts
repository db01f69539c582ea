import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusiness } from '../../src/businesses/businesses.repo.js';
import { composeInvoice, type DraftLine } from '../../src/invoices/invoice-math.js';
import { InvoiceDocument, InvoicesDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';

let app: TestApp;
const statements: string[] = [];
beforeAll(async () => {
  app = await startTestApp({}, { onQuery: (query) => statements.push(query) });
  const { db, invoices } = app.services;
  await ensureBusiness(db, 'biz_many', 'Many Invoices Ltd');
  const start = new Date('2026-01-01T00:00:00Z');
  const end = new Date('2026-02-01T00:00:00Z');
  const line = (kind: DraftLine['kind'], amount: number): DraftLine => ({ kind, description: kind, quantity: 1, unitAmount: amount, amount, periodStart: start, periodEnd: end });
  // 50 invoices of 5 lines each: subscription, proration credit, proration charge, overage, tax.
  for (let i = 0; i < 50; i++) {
    await db.transaction(async (tx) => {
      const draft = composeInvoice({
        currency: 'usd',
        periodStart: start,
        periodEnd: end,
        chargeLines: [line('subscription', 2900), line('proration', -1000), line('proration', 1500), line('overage', 100 + i)],
        taxRateBps: 1000,
        creditBalance: 0,
      });
      await invoices.finalize(tx, { businessId: 'biz_many', subscriptionId: null, billingReason: 'manual', draft, actor: 'system', now: new Date(start.getTime() + i * 1000) });
    });
  }
});
afterAll(() => app?.close());

describe('invoices', () => {
  it('lists 50 invoices of 5 lines each, newest first, in a small constant number of SQL statements', async () => {
    const owner = await app.memberOf('biz_many');
    statements.length = 0;
    const { billingAccount } = await owner.request(InvoicesDocument, { first: 50 });
    const edges = billingAccount.invoices.edges;
    expect(edges).toHaveLength(50);
    expect(edges.every((e) => e.node.lines.length === 5)).toBe(true);
    expect(edges[0]!.node).toMatchObject({ number: 'BIZMAN-0050', status: 'OPEN', currency: 'usd' });
    // 2900 - 1000 + 1500 + 149 = 3549 subtotal; tax 10% = 354.9 -> 355 (half to even rounds .9 up); total 3904
    expect(edges[0]!.node).toMatchObject({ subtotal: { amount: 3549 }, tax: { amount: 355 }, total: { amount: 3904, currency: 'usd' }, amountDue: { amount: 3904 } });
    expect(billingAccount.invoices.pageInfo.hasNextPage).toBe(false);
    // invoices + lines (one batch) + the pdfUrl needs none; no per-invoice statement.
    expect(statements.length).toBeLessThanOrEqual(3);
  });

  it('pages with a cursor', async () => {
    const owner = await app.memberOf('biz_many');
    const first = await owner.request(InvoicesDocument, { first: 20 });
    expect(first.billingAccount.invoices.pageInfo).toMatchObject({ hasNextPage: true });
    const second = await owner.request(InvoicesDocument, { first: 40, after: first.billingAccount.invoices.pageInfo.endCursor });
    const numbers = [...first.billingAccount.invoices.edges, ...second.billingAccount.invoices.edges].map((e) => e.node.number);
    expect(numbers).toHaveLength(50);
    expect(new Set(numbers).size).toBe(50);
    expect(numbers.at(-1)).toBe('BIZMAN-0001');
    expect(second.billingAccount.invoices.pageInfo.hasNextPage).toBe(false);
    await expectGraphQLError(owner.request(InvoicesDocument, { first: 10, after: 'not-a-cursor' }), 'BAD_USER_INPUT');
  });

  it('serves the invoice PDF through its signed link, and refuses a tampered one', async () => {
    const owner = await app.memberOf('biz_many');
    const { billingAccount } = await owner.request(InvoicesDocument, { first: 1 });
    const url = billingAccount.invoices.edges[0]!.node.pdfUrl;
    expect(url).toMatch(/\/invoices\/[0-9a-f-]{36}\/pdf\?token=/);
    const pdf = await fetch(url);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(1000);

    const other = billingAccount.invoices.edges[0]!.node.id.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect((await fetch(url.replace(/invoices\/[^/]+/, `invoices/${other}`))).status).toBe(404);
    expect((await fetch(url.slice(0, -3) + 'abc')).status).toBe(404);
  });

  it('answers NOT_FOUND for another business\'s invoice', async () => {
    const owner = await app.memberOf('biz_many');
    const { billingAccount } = await owner.request(InvoicesDocument, { first: 1 });
    const id = billingAccount.invoices.edges[0]!.node.id;
    await expectGraphQLError((await app.ownerOf('biz_stranger')).request(InvoiceDocument, { id }), 'NOT_FOUND');
    await expectGraphQLError((await app.ownerOf('biz_stranger')).request(InvoiceDocument, { id: 'not-a-uuid' }), 'NOT_FOUND');
    const { invoice } = await (await app.operator()).request(InvoiceDocument, { id });
    expect(invoice.id).toBe(id);
  });
});
