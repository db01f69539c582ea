import Stripe from 'stripe';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { startSandboxStripe, type SandboxStripe } from './sandbox/index.js';

export interface StripeConnection {
  stripe: Stripe;
  webhookSecret: string;
  /** Present in sandbox mode: the local Stripe-compatible server the SDK talks to. */
  sandbox: SandboxStripe | undefined;
  /** Tell the sandbox where to deliver webhooks, once the app knows its own address. */
  setWebhookUrl(url: string): void;
  close(): Promise<void>;
}

/** Retries with the same idempotency key are safe; timeouts keep a slow Stripe from holding requests. */
const SDK_OPTIONS = { maxNetworkRetries: 2, timeout: 20_000 } as const;

/**
 * The one Stripe client. With keys it talks to Stripe; without, it starts the sandbox server and
 * points the same SDK at it, so there is one payment code path.
 */
export async function connectStripe(config: Config, log: Logger, options: { timeoutMs?: number } = {}): Promise<StripeConnection> {
  const timeout = options.timeoutMs ?? SDK_OPTIONS.timeout;
  if (config.stripe) {
    return {
      stripe: new Stripe(config.stripe.secretKey, { ...SDK_OPTIONS, timeout }),
      webhookSecret: config.stripe.webhookSecret,
      sandbox: undefined,
      setWebhookUrl: () => {},
      close: async () => {},
    };
  }
  const sandbox = await startSandboxStripe({ log: log.child({ component: 'sandbox-stripe' }) });
  log.info({ url: sandbox.url }, 'sandbox payment server started (no STRIPE_SECRET_KEY)');
  return {
    stripe: new Stripe(sandbox.secretKey, { ...SDK_OPTIONS, timeout, host: sandbox.host, port: sandbox.port, protocol: 'http' }),
    webhookSecret: sandbox.webhookSecret,
    sandbox,
    setWebhookUrl: (url) => sandbox.setWebhookUrl(url),
    close: () => sandbox.stop(),
  };
}
