import type { Money } from '../money/money.js';
import type { MeterCode } from '../usage/meters.js';

export type PlanInterval = 'month' | 'year';
export type Enforcement = 'hard' | 'soft';

export interface PlanLimit {
  meter: MeterCode;
  /** Units included per period; null is unlimited. */
  included: number | null;
  enforcement: Enforcement;
  /** Per unit above `included` (SOFT limits only); null when overage is not sold. */
  overageUnitAmount: number | null;
}

/** What an operator asks for, already normalised and checked by `validatePlanDraft`. */
export interface PlanDraft {
  code: string;
  name: string;
  description: string;
  interval: PlanInterval;
  price: Money;
  trialDays: number;
  limits: PlanLimit[];
  features: string[];
}

export interface Plan extends PlanDraft {
  id: string;
  active: boolean;
  archivedAt: Date | null;
  createdAt: Date;
}
