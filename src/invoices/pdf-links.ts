import { jwtVerify, SignJWT } from 'jose';

const AUDIENCE = 'invoice-pdf';
/** Long enough to open the link from the dashboard, short enough that a leaked link soon dies. */
const LINK_LIFETIME = '15m';

/** Short-lived links to invoice PDFs, signed with jose: the link itself is the authorisation. */
export class PdfLinks {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Expiry is wall-clock time (the link's security), never the sandbox billing clock. */
  async urlFor(baseUrl: string, invoice: { id: string; businessId: string }): Promise<string> {
    const token = await new SignJWT({ business_id: invoice.businessId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(invoice.id)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(LINK_LIFETIME)
      .sign(this.key);
    return `${baseUrl}/invoices/${invoice.id}/pdf?token=${token}`;
  }

  /** The invoice and business the link was made for, or undefined for a bad, expired or foreign link. */
  async verify(invoiceId: string, token: string): Promise<{ invoiceId: string; businessId: string } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], audience: AUDIENCE, subject: invoiceId });
      return typeof payload.business_id === 'string' ? { invoiceId, businessId: payload.business_id } : undefined;
    } catch {
      return undefined;
    }
  }
}
