import type { MeterCode } from './meters.js';

/** Why an event was not counted, or a check would not admit. The GraphQL enum has the same names. */
export type UsageRejectionReason =
  | 'NO_SUBSCRIPTION'
  | 'ACCOUNT_RESTRICTED'
  | 'UNKNOWN_METER'
  | 'INVALID_QUANTITY'
  | 'OCCURRED_IN_FUTURE'
  | 'PERIOD_CLOSED'
  | 'LIMIT_REACHED';

export type NotificationKind = 'usage_50' | 'usage_80' | 'usage_100' | 'overage_started';

/** One event as the call-tracking service reports it, before any check. */
export interface UsageEventInput {
  businessId: string;
  meter: string;
  quantity: number;
  idempotencyKey: string;
  occurredAt?: Date | null;
  metadata?: unknown;
}

/** An event that passed the checks that need no database. */
export interface ValidUsageEvent {
  businessId: string;
  meter: MeterCode;
  quantity: number;
  idempotencyKey: string;
  occurredAt: Date;
  /** JSON text, or null. */
  metadata: string | null;
}

/** A meter's standing in one period, as the dashboard and the recording answer show it. */
export interface MeterUsage {
  meter: MeterCode;
  used: number;
  /** Null when unlimited. */
  included: number | null;
  /** included - used, never below zero; null when unlimited. */
  remaining: number | null;
  /** Units above included (SOFT limits); 0 otherwise. */
  overage: number;
  /** A HARD limit with nothing left, or a SOFT limit at or above included. */
  limitReached: boolean;
  periodStart: Date;
  periodEnd: Date;
}

export interface RecordOutcome {
  accepted: boolean;
  duplicate: boolean;
  reason: UsageRejectionReason | null;
  /** The meter after this event; null when the event was refused before a subscription was found. */
  usage: MeterUsage | null;
}

export interface CheckOutcome {
  allowed: boolean;
  remaining: number | null;
  reason: UsageRejectionReason | null;
}

export interface BatchOutcome {
  accepted: number;
  duplicates: number;
  rejected: { index: number; reason: UsageRejectionReason }[];
  outcomes: RecordOutcome[];
}
