import type { KeysContext } from './keys-context.ts';
import { keysChannel } from './keys-events.ts';
import { jwksFingerprint, loadProviderJwks, type PrivateJwks } from './provider-jwks.ts';
import { publishedKeysFingerprint } from './published-keys.ts';

export interface WatchSigningKeysOptions {
  /**
   * How often SQL is asked whether the keys changed (default 30 s): the fallback for a rotation event
   * that never arrived (cache down, message lost). Bounds how long an instance lags behind a rotation.
   */
  pollIntervalMs?: number;
  /** The JWKS the caller already uses; without it, the keys as they are when watching starts. */
  current?: PrivateJwks;
  /** Receives failures to check or reload, and errors thrown by onChange (default: a process warning). */
  onError?: (error: Error) => void;
}

export interface SigningKeysWatcher {
  /** Stops watching; resolves once a reload in progress has finished, after which onChange is never called. */
  stop(): Promise<void>;
}

export const defaultKeysPollIntervalMs = 30_000;

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

function reportAsWarning(error: Error): void {
  process.emitWarning(error);
}

/**
 * Calls onChange with the freshly loaded private JWKS whenever the published keys change (rotation,
 * retirement), on whichever instance it happened: at once through the cache's 'keys' channel, and at
 * the latest one poll interval later through a cheap SQL query. Checks never overlap; a change that
 * onChange failed to apply is offered again at the next check.
 */
export async function watchSigningKeys(
  context: KeysContext,
  onChange: (jwks: PrivateJwks) => void,
  options: WatchSigningKeysOptions = {},
): Promise<SigningKeysWatcher> {
  const pollIntervalMs = options.pollIntervalMs ?? defaultKeysPollIntervalMs;
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs <= 0) {
    throw new RangeError('pollIntervalMs must be a positive number of milliseconds');
  }
  const onError = options.onError ?? reportAsWarning;
  const { sql, cache } = context.ports;

  let applied =
    options.current === undefined ? await publishedKeysFingerprint(sql.db) : jwksFingerprint(options.current);
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;

  async function checkOnce(): Promise<void> {
    if ((await publishedKeysFingerprint(sql.db)) === applied) return;
    const jwks = await loadProviderJwks(context);
    const fingerprint = jwksFingerprint(jwks);
    // Keys read in two steps: the second may already be newer than the first, and may equal what is applied.
    if (stopped || fingerprint === applied) return;
    onChange(jwks);
    applied = fingerprint;
  }

  /** One check at a time; a request arriving meanwhile runs one more check right after. */
  function check(): void {
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await checkOnce();
        } catch (error) {
          if (!stopped) onError(asError(error));
        }
      } while (again && !stopped);
      running = undefined;
    })();
  }

  let unsubscribe: (() => Promise<void>) | undefined;
  try {
    // The message itself is not trusted or needed: any event only triggers a check against SQL.
    unsubscribe = await cache.subscribe(keysChannel, () => check());
  } catch (error) {
    // Polling alone still picks up every change, only later.
    onError(asError(error));
  }
  const timer = setInterval(check, pollIntervalMs);
  // Watching must never keep the process alive on its own.
  timer.unref();

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await unsubscribe?.().catch(() => undefined);
      await running;
    },
  };
}
