import { BadUserInputError } from '../errors/errors.js';
import { normalizeCurrency } from '../money/money.js';
import { isMeter, METERS } from '../usage/meters.js';
import type { Enforcement, PlanDraft, PlanInterval } from './plans.model.js';

export interface PlanDraftInput {
  code: string;
  name: string;
  description?: string | null;
  interval: PlanInterval;
  amount: number;
  currency: string;
  trialDays?: number | null;
  limits?: { meter: string; included?: number | null; enforcement: Enforcement; overageUnitAmount?: number | null }[] | null;
  features?: string[] | null;
}

const CODE = /^[a-z0-9][a-z0-9_-]{1,63}$/;
const FEATURE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** Prices above this are almost certainly a units mistake (dollars sent as cents twice). */
const MAX_AMOUNT = 100_000_000;

/** Checks an operator's plan and returns it normalised; the first problem found is a BAD_USER_INPUT. */
export function validatePlanDraft(input: PlanDraftInput): PlanDraft {
  const code = input.code.trim().toLowerCase();
  if (!CODE.test(code)) {
    throw new BadUserInputError('code must be 2-64 characters of a-z, 0-9, "_" or "-", starting with a letter or digit', 'code');
  }
  const name = input.name.trim();
  if (!name || name.length > 100) throw new BadUserInputError('name must be 1-100 characters', 'name');
  const currency = normalizeCurrency(input.currency);
  if (!currency) throw new BadUserInputError(`"${input.currency}" is not an ISO 4217 currency code`, 'currency');
  if (!Number.isSafeInteger(input.amount) || input.amount < 0 || input.amount > MAX_AMOUNT) {
    throw new BadUserInputError(`amount must be a whole number of minor units from 0 to ${MAX_AMOUNT}`, 'amount');
  }
  const trialDays = input.trialDays ?? 0;
  if (!Number.isInteger(trialDays) || trialDays < 0 || trialDays > 365) {
    throw new BadUserInputError('trialDays must be from 0 to 365', 'trialDays');
  }

  const limits = (input.limits ?? []).map((limit, index) => {
    const field = `limits[${index}]`;
    if (!isMeter(limit.meter)) {
      throw new BadUserInputError(`unknown meter "${limit.meter}"; known meters: ${Object.keys(METERS).join(', ')}`, `${field}.meter`);
    }
    const included = limit.included ?? null;
    if (included !== null && (!Number.isSafeInteger(included) || included < 0)) {
      throw new BadUserInputError('included must be a non-negative whole number, or null for unlimited', `${field}.included`);
    }
    const overageUnitAmount = limit.overageUnitAmount ?? null;
    if (overageUnitAmount !== null) {
      if (!Number.isSafeInteger(overageUnitAmount) || overageUnitAmount < 0) {
        throw new BadUserInputError('overageUnitAmount must be a non-negative whole number of minor units', `${field}.overageUnitAmount`);
      }
      if (limit.enforcement === 'hard') {
        throw new BadUserInputError('a HARD limit refuses usage above included, so it cannot have an overage price', `${field}.overageUnitAmount`);
      }
    }
    return { meter: limit.meter, included, enforcement: limit.enforcement, overageUnitAmount };
  });
  const meters = limits.map((l) => l.meter);
  const repeated = meters.find((m, i) => meters.indexOf(m) !== i);
  if (repeated) throw new BadUserInputError(`meter "${repeated}" is limited twice`, 'limits');

  const features = [...new Set((input.features ?? []).map((f) => f.trim().toLowerCase()))];
  const badFeature = features.find((f) => !FEATURE.test(f));
  if (badFeature !== undefined) throw new BadUserInputError(`feature "${badFeature}" must be a lower-case slug`, 'features');

  return {
    code,
    name,
    description: (input.description ?? '').trim(),
    interval: input.interval,
    price: { amount: input.amount, currency },
    trialDays,
    limits,
    features,
  };
}
