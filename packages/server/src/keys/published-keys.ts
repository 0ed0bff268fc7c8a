import type { Kysely } from 'kysely';
import type { Database } from '../ports/sql/schema.ts';
import { type SigningAlgorithm, signingAlgorithms } from './signing-algorithms.ts';
import type { SigningKeyState } from './signing-key-state.ts';

interface Placed {
  kid: string;
  alg: SigningAlgorithm;
  state: SigningKeyState;
  activated_at: Date | null;
}

function rankOf(state: SigningKeyState): number {
  return state === 'active' ? 0 : 1;
}

function timeOf(date: Date | null): number {
  return date === null ? 0 : new Date(date).getTime();
}

/**
 * The order of a published JWKS: active keys first, ES256 first of all (oidc-provider signs with the
 * first key that fits the algorithm, and some clients just take the first key), then previous keys,
 * the most recently active first.
 */
export function publicationOrder(a: Placed, b: Placed): number {
  return (
    rankOf(a.state) - rankOf(b.state) ||
    (a.state === 'active' ? 0 : timeOf(b.activated_at) - timeOf(a.activated_at)) ||
    signingAlgorithms.indexOf(a.alg) - signingAlgorithms.indexOf(b.alg) ||
    a.kid.localeCompare(b.kid)
  );
}

/** The published keys (active and previous) with their key material, in publication order. */
export async function selectPublishedKeys(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('signing_key')
    .select(['kid', 'alg', 'state', 'activated_at', 'public_jwk', 'private_jwk_sealed'])
    .where('state', 'in', ['active', 'previous'])
    .execute();
  return rows.sort(publicationOrder);
}

/**
 * The kids of the published keys in publication order, joined: it changes exactly when the JWKS does
 * (a rotation adds kids, a retirement removes some, and a kid names one key). Cheap enough to poll.
 */
export async function publishedKeysFingerprint(db: Kysely<Database>): Promise<string> {
  const rows = await db
    .selectFrom('signing_key')
    .select(['kid', 'alg', 'state', 'activated_at'])
    .where('state', 'in', ['active', 'previous'])
    .execute();
  return fingerprintOfKids(rows.sort(publicationOrder).map((row) => row.kid));
}

export function fingerprintOfKids(kids: readonly string[]): string {
  return kids.join(',');
}
