import type { CryptoKey, JWK, KeyObject } from 'jose';

/** Where cache-invalidation events come from. */
export type GuichetEventSource = 'redis' | 'sse' | 'none';

/** Options of {@link createGuichet}. Only the first four are required. */
export interface GuichetOptions {
  /** The issuer exactly as in the tokens' `iss`, e.g. `https://id.example.com`. */
  issuer: string;
  /** This resource server's audience URI, as registered with `guichet resources create --audience`. */
  audience: string;
  /** The client id of this resource server's own confidential service client. */
  clientId: string;
  /** That client's secret; sent only to the issuer, with HTTP Basic. */
  clientSecret: string;
  /**
   * The private key matching the encryption key registered for this resource server: needed only when
   * its tokens are JWEs (`--format jwe`). A private JWK object, a CryptoKey or a KeyObject.
   */
  decryptionKey?: JWK | CryptoKey | KeyObject;
  /** Redis of the Guichet deployment, to receive its events with pub/sub. */
  redisUrl?: string;
  /** Event source; default `'redis'` when `redisUrl` is set, else `'sse'`. `'none'` disables events. */
  events?: GuichetEventSource;
  /** Redis channel of the events (default `'guichet:events'`: the server's key prefix plus `events`). */
  eventsChannel?: string;
  /** JWKS location (default `${issuer}/jwks`). */
  jwksUri?: string;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds (default 5). */
  clockToleranceSeconds?: number;
  /** How long a session's context is trusted without asking Guichet again, in ms (default 60 000). */
  contextTtlMs?: number;
  /**
   * How long an expired context may still answer while Guichet is unreachable, in ms (default
   * 300 000); 0 answers 503 instead. Contexts dropped by an event are never used this way.
   */
  staleIfErrorMs?: number;
  /** Minimum time between two JWKS fetches caused by unknown key ids, in ms (default 30 000). */
  jwksCooldownMs?: number;
  /** The JWKS is fetched again when older than this on use, in ms (default 600 000). */
  jwksMaxAgeMs?: number;
  /** Timeout of each request to Guichet, in ms (default 5 000). */
  requestTimeoutMs?: number;
  /** Longest token accepted; longer ones are refused before being parsed (default 16 384). */
  maxTokenLength?: number;
  /** Backoff between reconnections of the SSE event stream, in ms (default 500 to 30 000). */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** The SSE stream is reopened when silent this long, in ms (default 45 000: three keep-alives). */
  eventsIdleTimeoutMs?: number;
}

/** The options with every default applied and every value checked. */
export interface ResolvedOptions {
  issuer: string;
  audience: string;
  clientId: string;
  clientSecret: string;
  decryptionKey: JWK | CryptoKey | KeyObject | undefined;
  events: GuichetEventSource;
  redisUrl: string | undefined;
  eventsChannel: string;
  jwksUri: string;
  contextUri: string;
  eventsUri: string;
  clockToleranceSeconds: number;
  contextTtlMs: number;
  staleIfErrorMs: number;
  jwksCooldownMs: number;
  jwksMaxAgeMs: number;
  requestTimeoutMs: number;
  maxTokenLength: number;
  reconnectMinDelayMs: number;
  reconnectMaxDelayMs: number;
  eventsIdleTimeoutMs: number;
}

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new TypeError(`createGuichet: ${name} must be a non-empty string`);
  }
  return value;
}

function requireHttpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`createGuichet: ${name} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`createGuichet: ${name} must be an http(s) URL, not ${url.protocol}`);
  }
  return url;
}

function duration(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`createGuichet: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

/** A private JWK has `d` (EC, OKP, RSA); a public one cannot decrypt, so it is a configuration mistake. */
function checkDecryptionKey(key: GuichetOptions['decryptionKey']): void {
  if (key === undefined) return;
  if (typeof key !== 'object' || key === null) {
    throw new TypeError('createGuichet: decryptionKey must be a private JWK, a CryptoKey or a KeyObject');
  }
  const isJwk = 'kty' in key && typeof key.kty === 'string';
  if (isJwk && !('d' in key)) {
    throw new TypeError('createGuichet: decryptionKey is a public JWK; the private key is needed to decrypt');
  }
}

/** Applies defaults and checks every option; throws TypeError naming the bad one (never its value). */
export function resolveOptions(options: GuichetOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createGuichet: options are required');
  }
  const issuer = requireText('issuer', options.issuer);
  requireHttpUrl('issuer', issuer);
  // Endpoints hang off the issuer; its trailing slash (if any) must not double up.
  const base = issuer.replace(/\/+$/, '');
  const events = options.events ?? (options.redisUrl === undefined ? 'sse' : 'redis');
  if (events !== 'redis' && events !== 'sse' && events !== 'none') {
    throw new TypeError("createGuichet: events must be 'redis', 'sse' or 'none'");
  }
  if (options.redisUrl !== undefined) requireText('redisUrl', options.redisUrl);
  if (events === 'redis' && options.redisUrl === undefined) {
    throw new TypeError("createGuichet: events 'redis' needs redisUrl");
  }
  const jwksUri = options.jwksUri ?? `${base}/jwks`;
  requireHttpUrl('jwksUri', jwksUri);
  checkDecryptionKey(options.decryptionKey);
  const reconnectMinDelayMs = duration('reconnect.minDelayMs', options.reconnect?.minDelayMs, 500);
  const reconnectMaxDelayMs = duration('reconnect.maxDelayMs', options.reconnect?.maxDelayMs, 30_000);
  if (reconnectMaxDelayMs < reconnectMinDelayMs) {
    throw new TypeError('createGuichet: reconnect.maxDelayMs must not be below reconnect.minDelayMs');
  }
  const maxTokenLength = duration('maxTokenLength', options.maxTokenLength, 16 * 1024);
  return {
    issuer,
    audience: requireText('audience', options.audience),
    clientId: requireText('clientId', options.clientId),
    clientSecret: requireText('clientSecret', options.clientSecret),
    decryptionKey: options.decryptionKey,
    events,
    redisUrl: options.redisUrl,
    eventsChannel: requireText('eventsChannel', options.eventsChannel ?? 'guichet:events'),
    jwksUri,
    contextUri: `${base}/context`,
    eventsUri: `${base}/events`,
    clockToleranceSeconds: duration('clockToleranceSeconds', options.clockToleranceSeconds, 5, true),
    contextTtlMs: duration('contextTtlMs', options.contextTtlMs, 60_000),
    staleIfErrorMs: duration('staleIfErrorMs', options.staleIfErrorMs, 300_000, true),
    jwksCooldownMs: duration('jwksCooldownMs', options.jwksCooldownMs, 30_000, true),
    jwksMaxAgeMs: duration('jwksMaxAgeMs', options.jwksMaxAgeMs, 600_000),
    requestTimeoutMs: duration('requestTimeoutMs', options.requestTimeoutMs, 5_000),
    maxTokenLength: Math.floor(maxTokenLength),
    reconnectMinDelayMs,
    reconnectMaxDelayMs,
    eventsIdleTimeoutMs: duration('eventsIdleTimeoutMs', options.eventsIdleTimeoutMs, 45_000),
  };
}
