import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/db/databases.js';

export interface TestDatabase {
  url: string;
  /** The server's maintenance database, for tests that create databases of their own. */
  adminUrl: string;
  connect(options?: { onQuery?: (query: string) => void }): DatabaseHandle;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated, seeded template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `billing_t_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  // Two clones of one template at the same instant can collide on the template's lock: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureDatabase(adminUrl, name, inject('templateDatabase'));
      break;
    } catch (error) {
      if (attempt >= 10 || !String(error).includes('being accessed by other users')) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  const url = withDatabase(adminUrl, name);
  return {
    url,
    adminUrl,
    connect: (options) => connectDatabase(url, { max: 4, ...options }),
    drop: () => dropDatabase(adminUrl, name),
  };
}
