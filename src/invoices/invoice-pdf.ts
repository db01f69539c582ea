import PDFDocument from 'pdfkit';
import { formatMoney } from '../money/money.js';
import type { InvoiceLineRow, InvoiceRow } from './invoices.table.js';

const day = (at: Date) => at.toISOString().slice(0, 10);

/** The invoice as a PDF: the business, number, dates, one row per line, and the totals. */
export function renderInvoicePdf(input: { businessName: string; invoice: InvoiceRow; lines: InvoiceLineRow[] }): Promise<Buffer> {
  const { invoice, lines } = input;
  const money = (amount: number) => formatMoney({ amount, currency: invoice.currency });
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${invoice.number ?? invoice.id}` } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.fontSize(20).text(`Invoice ${invoice.number ?? ''}`);
  doc.moveDown(0.5).fontSize(11);
  doc.text(`Billed to: ${input.businessName}`);
  doc.text(`Status: ${invoice.status.toUpperCase()}`);
  doc.text(`Issued: ${day(invoice.createdAt)}${invoice.paidAt ? `    Paid: ${day(invoice.paidAt)}` : ''}`);
  doc.text(`Period: ${day(invoice.periodStart)} to ${day(invoice.periodEnd)}`);
  doc.moveDown();

  const columns = { description: 50, quantity: 330, unit: 380, amount: 470 };
  const row = (cells: [string, string, string, string], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    doc.text(cells[0], columns.description, y, { width: 270 });
    const bottom = doc.y;
    doc.text(cells[1], columns.quantity, y, { width: 40, align: 'right' });
    doc.text(cells[2], columns.unit, y, { width: 80, align: 'right' });
    doc.text(cells[3], columns.amount, y, { width: 80, align: 'right' });
    doc.y = Math.max(bottom, doc.y) + 4;
    doc.x = columns.description;
  };
  row(['Description', 'Qty', 'Unit', 'Amount'], true);
  for (const line of lines) row([line.description, String(line.quantity), money(line.unitAmount), money(line.amount)]);
  doc.moveDown();
  row(['Subtotal', '', '', money(invoice.subtotal)]);
  if (invoice.discount) row(['Discount', '', '', money(-invoice.discount)]);
  if (invoice.tax) row(['Tax', '', '', money(invoice.tax)]);
  row(['Total', '', '', money(invoice.total)], true);
  row(['Amount due', '', '', money(invoice.amountDue)], true);
  row(['Amount paid', '', '', money(invoice.amountPaid)]);
  doc.end();
  return done;
}
