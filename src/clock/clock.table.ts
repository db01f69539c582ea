import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Sandbox clock: how far an operator has moved billing time ahead of the wall clock (kept across restarts). */
export const clockState = pgTable('clock_state', {
  id: text('id').primaryKey(),
  offsetMs: bigint('offset_ms', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
