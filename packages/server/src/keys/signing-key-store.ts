import { type Kysely, sql } from 'kysely';
import type { Database } from '../ports/sql/schema.ts';
import type { GeneratedSigningKey } from './generate-signing-key.ts';
import { type SigningAlgorithm, signingAlgorithms } from './signing-algorithms.ts';
import type { SigningKeyBox } from './signing-key-box.ts';

/** The algorithms that have an active key. */
export async function activeAlgorithms(db: Kysely<Database>): Promise<Set<SigningAlgorithm>> {
  const rows = await db.selectFrom('signing_key').select('alg').where('state', '=', 'active').execute();
  return new Set(rows.map((row) => row.alg));
}

/** The algorithms of `signingAlgorithms` that have no active key, in that order. */
export function missingAlgorithms(active: ReadonlySet<SigningAlgorithm>): SigningAlgorithm[] {
  return signingAlgorithms.filter((alg) => !active.has(alg));
}

/** Stores a new key as the active one of its algorithm, its private half sealed. */
export async function insertActiveKey(
  db: Kysely<Database>,
  box: SigningKeyBox,
  key: GeneratedSigningKey,
): Promise<void> {
  await db
    .insertInto('signing_key')
    .values({
      kid: key.kid,
      alg: key.alg,
      private_jwk_sealed: box.seal(key.privateJwk),
      public_jwk: JSON.stringify(key.publicJwk),
      state: 'active',
      // The database's clock, like retire_after: instances' clocks may disagree, the database's is one.
      activated_at: sql<Date>`now()`,
    })
    .execute();
}

/** The modulus length of the active RS256 key, so a rotation keeps the size the operator chose. */
export async function activeRsaModulusLength(db: Kysely<Database>): Promise<number | undefined> {
  const row = await db
    .selectFrom('signing_key')
    .select('public_jwk')
    .where('state', '=', 'active')
    .where('alg', '=', 'RS256')
    .executeTakeFirst();
  const modulus = row?.public_jwk.n;
  return modulus === undefined ? undefined : Buffer.from(modulus, 'base64url').length * 8;
}
