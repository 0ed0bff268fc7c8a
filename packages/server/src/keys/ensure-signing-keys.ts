import { generateSigningKey } from './generate-signing-key.ts';
import type { KeysContext } from './keys-context.ts';
import type { RsaModulusLength, SigningAlgorithm } from './signing-algorithms.ts';
import { createSigningKeyBox } from './signing-key-box.ts';
import { withSigningKeysLock } from './signing-key-lock.ts';
import { activeAlgorithms, insertActiveKey, missingAlgorithms } from './signing-key-store.ts';

export interface CreatedSigningKey {
  alg: SigningAlgorithm;
  kid: string;
}

export interface EnsureSigningKeysOptions {
  /** Size of an RS256 key created here (default 2048). */
  rsaModulusLength?: RsaModulusLength;
}

/**
 * Makes sure every algorithm has exactly one active key, creating the missing ones (on first start).
 * Returns the keys it created: none when another instance got there first. Safe to call from any
 * number of instances at once: creation happens under the signing keys' advisory lock, and a unique
 * index backs it up.
 */
export async function ensureSigningKeys(
  context: KeysContext,
  options: EnsureSigningKeysOptions = {},
): Promise<CreatedSigningKey[]> {
  const { sql } = context.ports;
  // Every start but the first ends here, without a transaction or a lock.
  const missing = missingAlgorithms(await activeAlgorithms(sql.db));
  if (missing.length === 0) return [];

  // Generated before locking: RSA takes a fraction of a second, during which the lock (and, on PGlite,
  // the only database session) would otherwise be held. A key another instance made useless is dropped.
  const generated = await Promise.all(missing.map((alg) => generateSigningKey(alg, options)));
  const box = createSigningKeyBox(context.masterKey);
  return withSigningKeysLock(sql, async (trx) => {
    const stillMissing = new Set(missingAlgorithms(await activeAlgorithms(trx)));
    const created: CreatedSigningKey[] = [];
    for (const key of generated) {
      if (!stillMissing.has(key.alg)) continue;
      await insertActiveKey(trx, box, key);
      created.push({ alg: key.alg, kid: key.kid });
    }
    return created;
  });
}
