import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A generated secret kept in the data directory, so that restarts and CLI commands agree with the
 * running app. Concurrent first calls end with the one file that was written first.
 */
export async function persistentSecret(dataDir: string, name: string): Promise<string> {
  const file = join(dataDir, name);
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}

/** Sandbox mode (no AUTH_JWKS_URL nor AUTH_JWT_SECRET) signs and verifies tokens with this secret. */
export const sandboxJwtSecret = (dataDir: string) => persistentSecret(dataDir, 'sandbox-jwt-secret');
