import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlPort } from '../ports/sql/sql-port.ts';

export const adminTokenFileName = 'admin.token';

export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function readAdminTokenFile(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(dataDir, adminTokenFileName), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * Makes sure the admin token in this data dir is known to the database. Only its SHA-256 is
 * stored (the token has 256 random bits, so a plain hash is enough); the token itself stays in a
 * 0600 file for the CLI on this machine. Each instance's data dir may hold its own token.
 */
export async function ensureAdminCredential(sql: SqlPort, dataDir: string): Promise<void> {
  let token = await readAdminTokenFile(dataDir);
  if (token === undefined) {
    token = randomBytes(32).toString('base64url');
    await writeFile(path.join(dataDir, adminTokenFileName), `${token}\n`, { mode: 0o600 });
  }
  await sql.db
    .insertInto('admin_credential')
    .values({ token_hash: hashAdminToken(token), label: `data dir token` })
    .onConflict((conflict) => conflict.column('token_hash').doNothing())
    .execute();
}

export async function isAdminToken(sql: SqlPort, token: string): Promise<boolean> {
  const row = await sql.db
    .selectFrom('admin_credential')
    .select('token_hash')
    .where('token_hash', '=', hashAdminToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
