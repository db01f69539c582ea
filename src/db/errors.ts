import postgres from 'postgres';

/** Drizzle wraps driver errors; the PostgreSQL error is the cause. */
function postgresError(error: unknown): postgres.PostgresError | undefined {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof postgres.PostgresError) return e;
  }
  return undefined;
}

/** True for a unique violation, optionally of the named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = postgresError(error);
  return pg?.code === '23505' && (constraint === undefined || pg.constraint_name === constraint);
}
