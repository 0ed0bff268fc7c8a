import { preparedStatement } from '../ports/sql/prepared-statement.ts';

/*
 * The storage adapter's hot statements over oidc_payload. Every read compares expiry with the
 * database's clock, as the writes set it.
 */

const liveColumns = `id, payload, consumed_at,
  (extract(epoch from expires_at - now()) * 1000)::double precision as remaining_ms`;
const alive = '(expires_at is null or expires_at > now())';

/** Tokens fill this table by the thousand from empty: statements that read it are planned per call. */
const planEachCall = { planEachCall: true };

/*
 * Batches name one model and many ids: a scan of one index with an array of keys, which PostgreSQL
 * plans in a fraction of the time a join against unnest() takes.
 */

/** Many rows of one model by id in one statement. */
export const findPayloads = preparedStatement(
  'oidc_payload_find_ids',
  `select ${liveColumns} from oidc_payload where model = $1 and id = any($2::text[]) and ${alive}`,
  planEachCall,
);

// While a session's id rotates, the old and new rows briefly share its uid: take the newest.
export const findPayloadByUid = preparedStatement(
  'oidc_payload_find_by_uid',
  `select ${liveColumns} from oidc_payload where model = $1 and uid = $2 and ${alive}
   order by expires_at desc nulls first limit 1`,
  planEachCall,
);

export const findPayloadByUserCode = preparedStatement(
  'oidc_payload_find_by_user_code',
  `select ${liveColumns} from oidc_payload where model = $1 and user_code = $2 and ${alive}
   order by expires_at desc nulls first limit 1`,
  planEachCall,
);

/**
 * Upserts many rows in one statement, one array per column. expires_in null: never expires;
 * consumed_epoch, else consumed_now, else not consumed. Saving a row again never makes a consumed one
 * usable again. xmax is 0 for a row this statement inserted: a brand-new id no reader can have cached.
 */
export const upsertPayloads = preparedStatement(
  'oidc_payload_upsert_many',
  `insert into oidc_payload (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
   select r.model, r.id, r.payload::jsonb, r.grant_id, r.user_code, r.uid,
     now() + make_interval(secs => r.expires_in),
     case when r.consumed_epoch is not null then to_timestamp(r.consumed_epoch)
          when r.consumed_now then now() end
   from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
               $7::double precision[], $8::double precision[], $9::boolean[])
     as r(model, id, payload, grant_id, user_code, uid, expires_in, consumed_epoch, consumed_now)
   on conflict (model, id) do update set
     payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
     uid = excluded.uid, expires_at = excluded.expires_at,
     consumed_at = coalesce(oidc_payload.consumed_at, excluded.consumed_at)
   returning model, id, (xmax = 0) as inserted`,
);

export const destroyPayload = preparedStatement(
  'oidc_payload_destroy',
  'delete from oidc_payload where model = $1 and id = $2',
  planEachCall,
);

/**
 * Consumes many rows of one model in one statement. Per row, exactly one caller flips consumed_at;
 * the rows not returned were consumed already (or are gone).
 */
export const consumePayloads = preparedStatement(
  'oidc_payload_consume_ids',
  `update oidc_payload set consumed_at = now()
   where model = $1 and id = any($2::text[]) and consumed_at is null
   returning id, grant_id`,
  planEachCall,
);

export const payloadGrant = preparedStatement(
  'oidc_payload_grant',
  'select grant_id from oidc_payload where model = $1 and id = $2',
  planEachCall,
);
