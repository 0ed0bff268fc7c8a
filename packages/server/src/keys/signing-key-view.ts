import type { SqlPort } from '../ports/sql/sql-port.ts';
import { publicationOrder } from './published-keys.ts';
import type { SigningAlgorithm } from './signing-algorithms.ts';
import type { SigningKeyState } from './signing-key-state.ts';

/** What an operator sees of a signing key: metadata only, never key material. */
export interface SigningKeyView {
  kid: string;
  alg: SigningAlgorithm;
  state: SigningKeyState;
  createdAt: string;
  activatedAt: string | null;
  retireAfter: string | null;
}

function isoOrNull(date: Date | null): string | null {
  return date === null ? null : new Date(date).toISOString();
}

/** Every signing key: published ones in JWKS order, then retired ones, most recent first. */
export async function listSigningKeys(port: SqlPort): Promise<SigningKeyView[]> {
  const rows = await port.db
    .selectFrom('signing_key')
    .select(['kid', 'alg', 'state', 'created_at', 'activated_at', 'retire_after'])
    .execute();
  const published = rows.filter((row) => row.state !== 'retired').sort(publicationOrder);
  const retired = rows
    .filter((row) => row.state === 'retired')
    .sort((a, b) => new Date(b.created_at).getTime() - new Date(a.created_at).getTime());
  return [...published, ...retired].map((row) => ({
    kid: row.kid,
    alg: row.alg,
    state: row.state,
    createdAt: new Date(row.created_at).toISOString(),
    activatedAt: isoOrNull(row.activated_at),
    retireAfter: isoOrNull(row.retire_after),
  }));
}
