import { sql } from 'kysely';
import { publishEvent } from '../events/publish-event.ts';
import { generateSigningKey } from './generate-signing-key.ts';
import type { KeysContext } from './keys-context.ts';
import { publishKeysRotated } from './keys-events.ts';
import { checkKeepPreviousSeconds } from './rotation-window.ts';
import {
  defaultRsaModulusLength,
  isRsaModulusLength,
  type RsaModulusLength,
  type SigningAlgorithm,
  signingAlgorithms,
} from './signing-algorithms.ts';
import { createSigningKeyBox } from './signing-key-box.ts';
import { withSigningKeysLock } from './signing-key-lock.ts';
import { activeRsaModulusLength, insertActiveKey } from './signing-key-store.ts';

export interface RotateSigningKeysOptions {
  /**
   * How long the keys rotated out stay in the JWKS: at least the longest lifetime of a token they
   * signed (see defaultKeepPreviousSeconds). 0 retires them at the next retirement run.
   */
  keepPreviousForSeconds: number;
  /** Size of the new RS256 key; default: the size of the current one (2048 when there is none). */
  rsaModulusLength?: RsaModulusLength;
}

export interface RotationResult {
  /** The new active key of each algorithm. */
  rotated: Array<{ alg: SigningAlgorithm; kid: string }>;
  /** The keys that stopped signing, published until retireAfter (ISO 8601). */
  previous: Array<{ alg: SigningAlgorithm; kid: string; retireAfter: string }>;
  /** False when the rotation event could not be sent; instances then pick it up by polling. */
  announced: boolean;
}

async function rsaModulusLengthFor(
  context: KeysContext,
  requested: RsaModulusLength | undefined,
): Promise<RsaModulusLength> {
  if (requested !== undefined) return requested;
  const current = await activeRsaModulusLength(context.ports.sql.db);
  return current !== undefined && isRsaModulusLength(current) ? current : defaultRsaModulusLength;
}

/**
 * Replaces the active key of every algorithm by a new one. The old active keys become `previous`: they
 * no longer sign but stay published until `now + keepPreviousForSeconds`, so tokens they signed still
 * verify. All in one transaction under the signing keys' lock, then every instance is told through the
 * cache; one that misses the event finds the change at its next poll.
 */
export async function rotateSigningKeys(
  context: KeysContext,
  options: RotateSigningKeysOptions,
): Promise<RotationResult> {
  const keepSeconds = checkKeepPreviousSeconds(options.keepPreviousForSeconds);
  const rsaModulusLength = await rsaModulusLengthFor(context, options.rsaModulusLength);
  // Generated before locking, as in ensureSigningKeys: the transaction then takes milliseconds.
  const generated = await Promise.all(
    signingAlgorithms.map((alg) => generateSigningKey(alg, { rsaModulusLength })),
  );
  const box = createSigningKeyBox(context.masterKey);

  const { previous, at } = await withSigningKeysLock(context.ports.sql, async (trx) => {
    const demoted = await trx
      .updateTable('signing_key')
      .set({
        state: 'previous',
        retire_after: sql<Date>`now() + make_interval(secs => ${keepSeconds})`,
      })
      .where('state', '=', 'active')
      .returning(['kid', 'alg', 'retire_after'])
      .execute();
    for (const key of generated) await insertActiveKey(trx, box, key);
    const clock = await sql<{ now: Date }>`select now() as now`.execute(trx);
    return {
      previous: demoted.map((row) => ({
        alg: row.alg,
        kid: row.kid,
        // Never null: set just above (the check constraint says so too).
        retireAfter: new Date(row.retire_after ?? 0).toISOString(),
      })),
      at: clock.rows[0]?.now ?? new Date(),
    };
  });

  const announced = await publishKeysRotated(context.ports.cache, at);
  // Resource servers too: their SDK refetches the JWKS at once instead of waiting out its cooldown.
  // Best effort like the above (publishEvent never throws): they also refetch on an unknown kid.
  await publishEvent(context.ports, 'keys.rotated', {});
  return {
    rotated: generated.map((key) => ({ alg: key.alg, kid: key.kid })),
    previous: orderedByAlgorithm(previous),
    announced,
  };
}

function orderedByAlgorithm<T extends { alg: SigningAlgorithm }>(items: T[]): T[] {
  return [...items].sort((a, b) => signingAlgorithms.indexOf(a.alg) - signingAlgorithms.indexOf(b.alg));
}
