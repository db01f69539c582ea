/** Stripe's error answers: `{ error: { type, code, message, param, ... } }` with Stripe's HTTP statuses. */

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  request_log_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  setup_intent?: unknown;
  advice_code?: string;
}

export class SandboxApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    /**
     * Stripe saves no idempotent result when a request fails validation before the endpoint runs
     * (unknown/missing/invalid params, auth): a retry with the same key runs again.
     */
    readonly beforeExecution = false,
  ) {
    super(body.message);
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

export function invalidRequest(message: string, opts: { code?: string; param?: string; status?: number; beforeExecution?: boolean } = {}): SandboxApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (opts.code) {
    body.code = opts.code;
    body.doc_url = docUrl(opts.code);
  }
  if (opts.param) body.param = opts.param;
  return new SandboxApiError(opts.status ?? 400, body, opts.beforeExecution ?? false);
}

export function unknownParameter(param: string): SandboxApiError {
  return invalidRequest(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param, beforeExecution: true });
}

export function missingParameter(param: string): SandboxApiError {
  return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param, beforeExecution: true });
}

export function invalidParameter(param: string, message: string): SandboxApiError {
  return invalidRequest(message, { code: 'parameter_invalid', param, beforeExecution: true });
}

/** Stripe names resources in 404 messages the way its dashboard does. */
const resourceNames: Record<string, string> = {
  cus: 'customer',
  pm: 'PaymentMethod',
  seti: 'setup_intent',
  pi: 'payment_intent',
  ch: 'charge',
  re: 'refund',
  evt: 'event',
  dp: 'dispute',
};

export function resourceMissing(id: string, param = 'id'): SandboxApiError {
  const prefix = id.split('_')[0] ?? '';
  const name = resourceNames[prefix] ?? 'object';
  return invalidRequest(`No such ${name}: '${id}'`, { code: 'resource_missing', param, status: 404 });
}

/** e.g. code 'payment_intent_unexpected_state', "You cannot confirm this PaymentIntent because it has a status of succeeded." */
export function unexpectedState(code: string, message: string): SandboxApiError {
  return invalidRequest(message, { code });
}
export function apiError(message = 'An unknown error occurred'): SandboxApiError {
  return new SandboxApiError(500, { type: 'api_error', message });
}

export function notFoundRoute(method: string, path: string): SandboxApiError {
  return invalidRequest(`Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, {
    status: 404,
    beforeExecution: true,
  });
}

export function cardError(opts: {
  code: string;
  declineCode?: string;
  message: string;
  param?: string;
  charge?: string;
  paymentIntent?: unknown;
  paymentMethod?: unknown;
  setupIntent?: unknown;
}): SandboxApiError {
  const body: StripeErrorBody = { type: 'card_error', code: opts.code, doc_url: docUrl(opts.code), message: opts.message };
  if (opts.declineCode) body.decline_code = opts.declineCode;
  if (opts.param) body.param = opts.param;
  if (opts.charge) body.charge = opts.charge;
  if (opts.paymentIntent) body.payment_intent = opts.paymentIntent;
  if (opts.paymentMethod) body.payment_method = opts.paymentMethod;
  if (opts.setupIntent) body.setup_intent = opts.setupIntent;
  return new SandboxApiError(402, body);
}
