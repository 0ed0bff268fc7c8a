import {
  type CryptoKey,
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { GuichetUnavailableError, InvalidTokenError } from './errors.ts';
import { fetchJson, UpstreamError } from './fetch-json.ts';
import { isRecord } from './is-record.ts';

export interface JwksCacheOptions {
  uri: string;
  /** Minimum time between two fetches caused by unknown key ids. */
  cooldownMs: number;
  /** A key set older than this is fetched again on use (kept if that fails). */
  maxAgeMs: number;
  timeoutMs: number;
  /** Background trouble (a failed refresh nobody waits for). */
  onError: (error: Error) => void;
}

/** The issuer's signing keys, following rotation. */
export interface JwksCache {
  /** The key that verifies a token with this header; throws InvalidTokenError or GuichetUnavailableError. */
  keyFor(header: JWSHeaderParameters): Promise<CryptoKey>;
  /** Guichet rotated its keys: fetch now, and let the next unknown kid fetch again at once. */
  rotated(): void;
  /** Events may have been missed: let the next unknown kid fetch at once. */
  allowImmediateRefetch(): void;
}

type KeySet = ReturnType<typeof createLocalJWKSet>;

const maxJwksBytes = 1024 * 1024;

/** Keeps the public signature keys of a JWKS document; anything else in it is ignored. */
function signatureKeys(body: unknown): JSONWebKeySet {
  if (!isRecord(body) || !Array.isArray(body.keys)) throw new UpstreamError('JWKS answer has no "keys" list');
  const keys = body.keys.filter(
    (key): key is JSONWebKeySet['keys'][number] =>
      isRecord(key) &&
      typeof key.kty === 'string' &&
      typeof key.kid === 'string' &&
      (key.use === undefined || key.use === 'sig') &&
      !('d' in key) &&
      !('k' in key),
  );
  return { keys };
}

/**
 * A JWKS cache that follows rotation without letting forged tokens hammer the issuer: an unknown kid
 * fetches the JWKS again at most once per cooldown, except right after a keys.rotated event. Concurrent
 * lookups share one fetch.
 */
export function createJwksCache(options: JwksCacheOptions): JwksCache {
  let keySet: KeySet | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;
  let immediateRefetch = false;
  let failing = false;

  function refresh(): Promise<void> {
    inflight ??= (async () => {
      lastAttemptAt = Date.now();
      try {
        const answer = await fetchJson(
          options.uri,
          { headers: { accept: 'application/json' } },
          { timeoutMs: options.timeoutMs, maxBytes: maxJwksBytes },
        );
        if (answer.status !== 200) throw new UpstreamError(`JWKS answered ${answer.status}`, answer.status);
        keySet = createLocalJWKSet(signatureKeys(answer.body));
        fetchedAt = Date.now();
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  /** Background failures are reported once per outage: the next success re-arms it. */
  function refreshInBackground(): void {
    refresh().then(
      () => {
        failing = false;
      },
      (error: unknown) => {
        if (failing) return;
        failing = true;
        options.onError(asError(error));
      },
    );
  }

  async function refreshOrUnavailable(): Promise<void> {
    try {
      await refresh();
    } catch (error) {
      throw new GuichetUnavailableError(undefined, { cause: error });
    }
  }

  async function lookup(header: JWSHeaderParameters): Promise<CryptoKey | undefined> {
    if (keySet === undefined) return undefined;
    try {
      return await keySet(header);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) return undefined;
      throw new InvalidTokenError('the access token names no usable key', { cause: error });
    }
  }

  return {
    async keyFor(header) {
      if (keySet === undefined) {
        await refreshOrUnavailable();
      } else if (
        Date.now() - fetchedAt > options.maxAgeMs &&
        inflight === undefined &&
        Date.now() - lastAttemptAt >= options.cooldownMs
      ) {
        // Stale but usable: refreshed in the background, and a failure keeps the keys we have.
        refreshInBackground();
      }
      const known = await lookup(header);
      if (known !== undefined) return known;
      if (inflight !== undefined) {
        // A fetch is already on its way (maybe for this very kid): wait for it rather than start another.
        await inflight.catch(() => undefined);
        const fetched = await lookup(header);
        if (fetched !== undefined) return fetched;
      }
      // The rate limit: forged kids cost the issuer at most one fetch per cooldown.
      if (immediateRefetch || Date.now() - lastAttemptAt >= options.cooldownMs) {
        immediateRefetch = false;
        await refreshOrUnavailable();
        const refetched = await lookup(header);
        if (refetched !== undefined) return refetched;
      }
      throw new InvalidTokenError('the access token is signed with an unknown key');
    },

    rotated() {
      immediateRefetch = true;
      refreshInBackground();
    },

    allowImmediateRefetch() {
      immediateRefetch = true;
    },
  };
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
