import { randomUUID } from 'node:crypto';
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { CachePort } from '../ports/cache/cache-port.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import { createStatementBatcher } from '../ports/sql/statement-batcher.ts';
import {
  consumePayloads,
  destroyPayload,
  findPayloadByUid,
  findPayloadByUserCode,
  findPayloads,
  payloadGrant,
  upsertPayloads,
} from './payload-statements.ts';

/*
 * How oidc-provider 9 uses consume() and `consumed` (lib/helpers/grant_source.js,
 * lib/actions/grants/authorization_code.js and refresh_token.js):
 * - Authorization code: the token endpoint finds the code, and consumeGrantSource() revokes the grant
 *   and answers invalid_grant when the payload already carries `consumed`; otherwise it calls consume().
 * - Refresh token (rotateRefreshToken is on): a found token with `consumed` is destroyed and its grant
 *   revoked (invalid_grant); otherwise consume() is called and a new refresh token is saved.
 * So a reuse that comes after the first use completed is caught by oidc-provider itself, as long as find()
 * reports `consumed`. What it cannot catch is two requests (on two instances) that both read the token
 * before either consumed it. Here consume() is a conditional UPDATE: exactly one caller flips
 * consumed_at; every other caller finds no unconsumed row, revokes the whole grant (its tokens and codes
 * and the Grant itself) and throws InvalidGrant, which the token endpoint answers as invalid_grant. The
 * winner may still save tokens after that revocation, but they name a Grant that no longer exists, and
 * oidc-provider refuses tokens whose grant is gone (refresh, introspection, userinfo).
 */

/** Where Guichet's clients live; this adapter never stores them (dynamic registration is off). */
export interface ClientsSource {
  find(id: string): Promise<Record<string, unknown> | undefined>;
}

/** A code or refresh token presented again after it was consumed; its grant has been revoked. */
export interface ReuseEvent {
  model: string;
  grantId?: string;
}

export interface StorageAdapterOptions {
  sql: SqlPort;
  cache: CachePort;
  clients?: ClientsSource;
  onReuse?: (event: ReuseEvent) => void;
}

/** Models revoked with their grant, as in oidc-provider's own adapters; others keep grant_id null. */
const grantBoundModels = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * Never consumed, and read again after they are written: tokens at every use, sessions and grants at
 * every token request, an interaction on each page of its sign-in (each of its writes invalidates the
 * entry, so only reads between two writes are saved). Codes and refresh tokens are read once and
 * carry consumption state, so they always come from SQL.
 */
const cachedModels = new Set(['Session', 'AccessToken', 'ClientCredentials', 'Grant', 'Interaction']);

/**
 * Read again within the same sign-in, right after they are created: a new row goes into the cache
 * with its insert. A sign-in then reads its interaction (the page, the password form), its grant
 * and its session by id from the cache instead of PostgreSQL (a session found by uid still asks
 * SQL for the pointer). Tokens are left to be cached on first read.
 */
const writtenThroughModels = new Set(['Session', 'Grant', 'Interaction']);

/** Also the longest a change stays unseen when the cache could not be told about it (an outage). */
const maxCacheMs = 60_000;
/**
 * A version outlives every cache entry tagged before it, so an entry can never match a version that
 * expired and came back empty.
 */
const versionTtlMs = 2 * maxCacheMs;

interface StoredRow {
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  /** Milliseconds of life left by the database's clock; null when the row never expires. */
  remaining_ms: number | null;
}

/** What a cache entry holds: the payload and the version of the row it was read under. */
interface CacheEntry {
  v: string | null;
  p: AdapterPayload;
}

/** A rejected cache call: the cache is only an accelerator, so callers fall back to SQL. */
const cacheDown = Symbol('cache down');

async function tryCache<T>(operation: () => Promise<T>): Promise<T | typeof cacheDown> {
  try {
    return await operation();
  } catch {
    return cacheDown;
  }
}

function toPayload(row: StoredRow): AdapterPayload {
  const payload = row.payload as AdapterPayload;
  if (row.consumed_at === null) return payload;
  // oidc-provider only tests `consumed` for truthiness; an epoch matches its memory adapter.
  return { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) };
}

/** A cache entry lives as long as its row, and at most maxCacheMs; null: the row never expires. */
function cacheTtlMs(remainingMs: number | null): number {
  return Math.floor(Math.min(maxCacheMs, remainingMs ?? maxCacheMs));
}

function parseEntry(text: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(text) as Partial<CacheEntry>;
    if (typeof entry !== 'object' || entry === null || typeof entry.p !== 'object') return undefined;
    return { v: typeof entry.v === 'string' ? entry.v : null, p: entry.p };
  } catch {
    return undefined;
  }
}

function entryKey(model: string, id: string): string {
  return `oidc:p:${model}:${id}`;
}

function versionKey(model: string, id: string): string {
  return `oidc:v:${model}:${id}`;
}

function uidKey(uid: string): string {
  return `oidc:uid:${uid}`;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** One row for upsertPayloads; expiry and consumption are computed by the database's clock. */
interface UpsertItem {
  model: string;
  id: string;
  payload: string;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresIn: number | null;
  consumedEpoch: number | null;
  consumedNow: boolean;
}

interface ModelRow {
  model: string;
  id: string;
}

const rowKey = (model: string, id: string) => `${model}\u0000${id}`;

/**
 * Runs one statement per model named in the batch (under load, nearly always one) and answers each
 * item with the row its id returned, if any.
 */
async function perModel<Row extends { id: string }>(
  items: ModelRow[],
  run: (model: string, ids: string[]) => Promise<Row[]>,
): Promise<Array<Row | undefined>> {
  const idsByModel = new Map<string, string[]>();
  for (const item of items) {
    const ids = idsByModel.get(item.model);
    if (ids === undefined) idsByModel.set(item.model, [item.id]);
    else ids.push(item.id);
  }
  const found = new Map<string, Row>();
  await Promise.all(
    [...idsByModel].map(async ([model, ids]) => {
      for (const row of await run(model, ids)) found.set(rowKey(model, row.id), row);
    }),
  );
  return items.map((item) => found.get(rowKey(item.model, item.id)));
}

/** The batch's rows in key order, so two concurrent batches lock shared rows in the same order. */
async function upsertMany(sql: SqlPort, items: UpsertItem[]): Promise<boolean[]> {
  const sorted = [...items].sort((a, b) => {
    const left = rowKey(a.model, a.id);
    const right = rowKey(b.model, b.id);
    return left < right ? -1 : left > right ? 1 : 0;
  });
  const rows = await sql.run<{ model: string; id: string; inserted: boolean }>(upsertPayloads, [
    sorted.map((item) => item.model),
    sorted.map((item) => item.id),
    sorted.map((item) => item.payload),
    sorted.map((item) => item.grantId),
    sorted.map((item) => item.userCode),
    sorted.map((item) => item.uid),
    sorted.map((item) => item.expiresIn),
    sorted.map((item) => item.consumedEpoch),
    sorted.map((item) => item.consumedNow),
  ]);
  const inserted = new Map(rows.map((row) => [rowKey(row.model, row.id), row.inserted]));
  return items.map((item) => inserted.get(rowKey(item.model, item.id)) === true);
}

function consumedAgain(model: string): errors.InvalidGrant {
  return new errors.InvalidGrant(`${model} was already used; its grant has been revoked`);
}

/** Creates oidc-provider's `adapter` option: SQL is the record, the cache speeds up hot reads. */
export function createStorageAdapterFactory(options: StorageAdapterOptions): (model: string) => Adapter {
  const { sql, cache } = options;
  const db = sql.db;

  /** Concurrent reads share one statement per model. */
  const readBatched = createStatementBatcher<ModelRow, StoredRow | undefined>({
    run: (items) =>
      perModel(items, (model, ids) => sql.run<StoredRow & { id: string }>(findPayloads, [model, ids])),
    key: (item) => rowKey(item.model, item.id),
  });

  function readRow(model: string, id: string): Promise<StoredRow | undefined> {
    return readBatched({ model, id });
  }

  /** Concurrent consumptions share one statement per model; each row still flips for exactly one caller. */
  const consumeBatched = createStatementBatcher<ModelRow, { grant_id: string | null } | undefined>({
    run: (items) =>
      perModel(items, (model, ids) =>
        sql.run<{ id: string; grant_id: string | null }>(consumePayloads, [model, ids]),
      ),
    key: (item) => rowKey(item.model, item.id),
  });

  /** Concurrent saves share one statement and one commit; each resolves once its row is committed. */
  const upsertBatched = createStatementBatcher<UpsertItem, boolean>({
    run: (items) => upsertMany(sql, items),
    key: (item) => rowKey(item.model, item.id),
  });

  /**
   * Marks the row as changed for every instance: a new version makes every entry tagged with an older
   * one a miss, including one that a concurrent reader writes back after this, from a read made before
   * the change. Deleting the entry only saves memory. Called after the SQL change has committed.
   */
  async function invalidate(model: string, id: string): Promise<void> {
    if (!cachedModels.has(model)) return;
    await Promise.all([
      tryCache(() => cache.set(versionKey(model, id), randomUUID(), versionTtlMs)),
      tryCache(() => cache.delete(entryKey(model, id))),
    ]);
  }

  async function invalidateRows(rows: ReadonlyArray<{ model: string; id: string }>): Promise<void> {
    await Promise.all(rows.map((row) => invalidate(row.model, row.id)));
  }

  /** `entry` is a CacheEntry already serialised. */
  async function keepEntry(model: string, id: string, entry: string, ttl: number): Promise<void> {
    if (ttl > 0) await tryCache(() => cache.set(entryKey(model, id), entry, ttl));
  }

  async function findThroughCache(model: string, id: string): Promise<AdapterPayload | undefined> {
    // One round trip for both: the entry is only good under the version read with it.
    const both = await tryCache(() => cache.getMany([entryKey(model, id), versionKey(model, id)]));
    if (both !== cacheDown) {
      const [cached, version] = both;
      if (cached !== undefined) {
        const entry = parseEntry(cached);
        if (entry !== undefined && entry.v === (version ?? null)) return entry.p;
      }
    }
    const row = await readRow(model, id);
    if (row === undefined) return undefined;
    const payload = toPayload(row);
    // Without the version we cannot tag the entry, so we do not write one.
    if (both !== cacheDown)
      await keepEntry(
        model,
        id,
        JSON.stringify({ v: both[1] ?? null, p: payload } satisfies CacheEntry),
        cacheTtlMs(row.remaining_ms),
      );
    return payload;
  }

  async function find(model: string, id: string): Promise<AdapterPayload | undefined> {
    if (cachedModels.has(model)) return findThroughCache(model, id);
    const row = await readRow(model, id);
    return row === undefined ? undefined : toPayload(row);
  }

  async function findBy(
    model: string,
    column: 'uid' | 'user_code',
    value: string,
  ): Promise<{ id: string; payload: AdapterPayload; ttl: number } | undefined> {
    const statement = column === 'uid' ? findPayloadByUid : findPayloadByUserCode;
    const [row] = await sql.run<StoredRow & { id: string }>(statement, [model, value]);
    if (row === undefined) return undefined;
    return { id: row.id, payload: toPayload(row), ttl: cacheTtlMs(row.remaining_ms) };
  }

  /**
   * Sessions are found by uid whenever a session-bound token is used. The cache keeps only uid -> id;
   * the payload then comes through find(), whose versioning keeps it fresh, and a pointer that no
   * longer leads to a live row with this uid is ignored.
   */
  async function findByUid(model: string, uid: string): Promise<AdapterPayload | undefined> {
    if (!cachedModels.has(model)) return (await findBy(model, 'uid', uid))?.payload;
    const pointer = await tryCache(() => cache.get(uidKey(uid)));
    if (typeof pointer === 'string') {
      const payload = await findThroughCache(model, pointer);
      if (payload?.uid === uid) return payload;
    }
    const found = await findBy(model, 'uid', uid);
    if (found === undefined) return undefined;
    if (found.ttl > 0) await tryCache(() => cache.set(uidKey(uid), found.id, found.ttl));
    return found.payload;
  }

  async function upsert(
    model: string,
    id: string,
    payload: AdapterPayload,
    expiresIn: number | undefined,
  ): Promise<void> {
    // `consumed` lives in consumed_at only, so the conditional update in consume() is the one truth.
    const { consumed, ...stored } = payload;
    // Serialised once: the cache entry holds exactly what SQL got, whatever happens to the objects.
    const json = JSON.stringify(stored);
    const seconds = typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? expiresIn : null;
    const inserted = await upsertBatched({
      model,
      id,
      payload: json,
      grantId: grantBoundModels.has(model) ? text(payload.grantId) : null,
      userCode: text(payload.userCode),
      uid: text(payload.uid),
      expiresIn: seconds,
      // oidc-provider only tests `consumed` for truthiness; an epoch is kept as that instant.
      consumedEpoch: typeof consumed === 'number' ? consumed : null,
      consumedNow: typeof consumed !== 'number' && Boolean(consumed),
    });
    if (!inserted) await invalidate(model, id);
    // A brand-new id has no version key: an entry tagged null matches it. Should one exist from an
    // earlier life of the id, the tags differ and readers go to SQL.
    else if (writtenThroughModels.has(model) && consumed === undefined)
      await keepEntry(
        model,
        id,
        `{"v":null,"p":${json}}`,
        cacheTtlMs(seconds === null ? null : seconds * 1000),
      );
  }

  async function destroy(model: string, id: string): Promise<void> {
    await sql.run(destroyPayload, [model, id]);
    await invalidate(model, id);
  }

  /**
   * Deletes the grant's rows and returns which. Rows are locked in key order first, so concurrent
   * revocations of one grant (oidc-provider revokes each model in parallel) wait for each other
   * instead of deadlocking.
   */
  async function deleteGrantRows(
    grantId: string,
    withGrant: boolean,
  ): Promise<Array<{ model: string; id: string }>> {
    return db
      .deleteFrom('oidc_payload')
      .where(({ eb, refTuple, selectFrom }) =>
        eb(
          refTuple('model', 'id'),
          'in',
          selectFrom('oidc_payload')
            .select(['model', 'id'])
            .where((inner) =>
              withGrant
                ? inner.or([
                    inner('grant_id', '=', grantId),
                    inner.and([inner('model', '=', 'Grant'), inner('id', '=', grantId)]),
                  ])
                : inner('grant_id', '=', grantId),
            )
            .orderBy('model')
            .orderBy('id')
            .forUpdate()
            .$asTuple('model', 'id'),
        ),
      )
      .returning(['model', 'id'])
      .execute();
  }

  /**
   * Every row issued under the grant, whichever model's adapter is asked (as oidc-provider's memory
   * adapter does). The Grant itself stays: oidc-provider destroys it separately when its policy says so.
   */
  async function revokeByGrantId(grantId: string): Promise<void> {
    await invalidateRows(await deleteGrantRows(grantId, false));
  }

  function reportReuse(model: string, grantId: string | undefined): void {
    try {
      options.onReuse?.(grantId === undefined ? { model } : { model, grantId });
    } catch {
      // A failing observer must not turn the reuse answer into a server error.
    }
  }

  async function consume(model: string, id: string): Promise<void> {
    const updated = await consumeBatched({ model, id });
    if (updated !== undefined) {
      await invalidate(model, id);
      return;
    }
    const [existing] = await sql.run<{ grant_id: string | null }>(payloadGrant, [model, id]);
    // Gone: expired and purged, or revoked by a concurrent reuse. Unusable either way.
    if (existing === undefined) throw new errors.InvalidGrant(`${model} not found`);
    const grantId = existing.grant_id ?? undefined;
    if (grantId !== undefined) await invalidateRows(await deleteGrantRows(grantId, true));
    reportReuse(model, grantId);
    throw consumedAgain(model);
  }

  function modelAdapter(model: string): Adapter {
    return {
      upsert: (id, payload, expiresIn) => upsert(model, id, payload, expiresIn),
      find: (id) => find(model, id),
      findByUid: (uid) => findByUid(model, uid),
      findByUserCode: async (userCode) => (await findBy(model, 'user_code', userCode))?.payload,
      consume: (id) => consume(model, id),
      destroy: (id) => destroy(model, id),
      revokeByGrantId,
    };
  }

  const clientAdapter = createClientAdapter(options.clients);
  return (model) => (model === 'Client' ? clientAdapter : modelAdapter(model));
}

function clientsNotStoredHere(): Promise<never> {
  return Promise.reject(
    new Error('storing clients through oidc-provider is not supported: they are managed by Guichet'),
  );
}

/** Clients are read from their own domain; dynamic registration is off, so nothing writes them here. */
function createClientAdapter(clients: ClientsSource | undefined): Adapter {
  return {
    find: async (id) => {
      if (clients === undefined) return undefined;
      return (await clients.find(id)) as AdapterPayload | undefined;
    },
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    upsert: clientsNotStoredHere,
    consume: clientsNotStoredHere,
    destroy: clientsNotStoredHere,
    revokeByGrantId: clientsNotStoredHere,
  };
}
