import type { SqlPort } from '../ports/sql/sql-port.ts';
import type { KeysContext } from './keys-context.ts';
import { fingerprintOfKids, selectPublishedKeys } from './published-keys.ts';
import { type PrivateSigningJwk, type PublicSigningJwk, withoutPrivateMembers } from './signing-jwk.ts';
import { createSigningKeyBox } from './signing-key-box.ts';

/** A JWKS of private keys, as oidc-provider's `jwks` option takes it. Never serialise it. */
export interface PrivateJwks {
  keys: PrivateSigningJwk[];
}

export interface PublicJwks {
  keys: PublicSigningJwk[];
}

/**
 * The private keys oidc-provider signs with and publishes (it publishes only their public half):
 * active keys first, ES256 first of all, then the previous keys that still verify older tokens.
 * Throws SigningKeyUnreadableError when the master key is not the one the keys were sealed with.
 */
export async function loadProviderJwks(context: KeysContext): Promise<PrivateJwks> {
  const box = createSigningKeyBox(context.masterKey);
  const rows = await selectPublishedKeys(context.ports.sql.db);
  return {
    keys: rows.map((row) => {
      const jwk = box.open(row.kid, row.private_jwk_sealed);
      return { ...jwk, kid: row.kid, alg: row.alg, use: 'sig' };
    }),
  };
}

/** The JWKS document as relying parties see it, read from the public halves; needs no master key. */
export async function publicJwks(port: SqlPort): Promise<PublicJwks> {
  const rows = await selectPublishedKeys(port.db);
  return {
    keys: rows.map((row) => ({
      // Stored public already; stripped again so no row, however written, can publish a private member.
      ...withoutPrivateMembers(row.public_jwk),
      kid: row.kid,
      alg: row.alg,
      use: 'sig',
    })),
  };
}

/** Identifies a JWKS by its kids in order; equal to the fingerprint of the keys it was loaded from. */
export function jwksFingerprint(jwks: { keys: ReadonlyArray<{ kid?: string | undefined }> }): string {
  return fingerprintOfKids(jwks.keys.map((key) => key.kid ?? ''));
}
