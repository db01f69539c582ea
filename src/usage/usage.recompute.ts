import type postgres from 'postgres';

export interface CounterDifference {
  subscriptionId: string;
  meter: string;
  periodStart: Date;
  /** What the counter said. */
  stored: number;
  /** The sum of the events' quantities. */
  actual: number;
}

/**
 * Rebuilds usage_counters from usage_events and answers every counter that differed. Each
 * difference is fixed in its own transaction with the counter row locked (as the recording
 * transaction locks it), then re-summed, so it is safe while usage is being recorded. With
 * `dryRun` it only reports.
 */
export async function recomputeUsageCounters(sql: postgres.Sql, options: { dryRun?: boolean } = {}): Promise<CounterDifference[]> {
  const rows = await sql<{ subscription_id: string; meter: string; ps: number; stored: number; actual: number }[]>`
    with actual as (
      select subscription_id, meter, period_start, sum(quantity)::float8 as used
      from usage_events group by subscription_id, meter, period_start
    )
    select coalesce(c.subscription_id, a.subscription_id) as subscription_id, coalesce(c.meter, a.meter) as meter,
      (extract(epoch from coalesce(c.period_start, a.period_start)) * 1000)::float8 as ps,
      coalesce(c.used, 0)::float8 as stored, coalesce(a.used, 0)::float8 as actual
    from usage_counters c
    full join actual a on a.subscription_id = c.subscription_id and a.meter = c.meter and a.period_start = c.period_start
    where coalesce(c.used, 0) <> coalesce(a.used, 0)
    order by 1, 2, 3`;
  const differences: CounterDifference[] = [];
  for (const row of rows) {
    const key = { subscriptionId: row.subscription_id, meter: row.meter, periodStart: new Date(Math.round(row.ps)) };
    const fixed = await sql.begin(async (tx) => {
      const ps = key.periodStart.toISOString();
      const [locked] = await tx<{ used: number }[]>`
        insert into usage_counters (subscription_id, meter, period_start, used) values (${key.subscriptionId}, ${key.meter}, ${ps}::text::timestamptz, 0)
        on conflict (subscription_id, meter, period_start) do update set used = usage_counters.used
        returning used::float8 as used`;
      const [sum] = await tx<{ used: number }[]>`
        select coalesce(sum(quantity), 0)::float8 as used from usage_events
        where subscription_id = ${key.subscriptionId} and meter = ${key.meter} and period_start = ${ps}::text::timestamptz`;
      const stored = Number(locked!.used);
      const actual = Number(sum!.used);
      if (stored === actual) return undefined;
      if (!options.dryRun) {
        await tx`update usage_counters set used = ${actual} where subscription_id = ${key.subscriptionId} and meter = ${key.meter} and period_start = ${ps}::text::timestamptz`;
      }
      return { ...key, stored, actual };
    });
    if (fixed) differences.push(fixed);
  }
  return differences;
}
