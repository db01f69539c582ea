import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Sandbox mode (no AUTH_JWKS_URL nor AUTH_JWT_SECRET) signs and verifies tokens with a generated
 * secret kept in the data directory, so a restart and `npm run token` agree with the running app.
 */
export async function sandboxJwtSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'sandbox-jwt-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}
