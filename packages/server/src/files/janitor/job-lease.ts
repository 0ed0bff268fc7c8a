import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import type { SqlPort } from '../../ports/sql/sql-port.ts';

/** Who holds a lease: readable in the table (host and pid), unique per process and job start. */
export function newLeaseHolder(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Takes (or renews) the lease `name` for `seconds` when it is free, expired or already ours. One
 * statement, no transaction held open: PGlite has a single connection and a janitor run is long.
 * Expiry is reckoned by the database clock, so instances whose clocks differ still agree.
 */
export async function acquireLease(
  port: SqlPort,
  name: string,
  holder: string,
  seconds: number,
): Promise<boolean> {
  const result = await sql<{ holder: string }>`
    insert into job_lease (name, holder, expires_at)
    values (${name}, ${holder}, now() + make_interval(secs => ${seconds}))
    on conflict (name) do update
      set holder = excluded.holder, expires_at = excluded.expires_at
      where job_lease.expires_at < now() or job_lease.holder = excluded.holder
    returning holder`.execute(port.db);
  return result.rows.length === 1;
}

export async function releaseLease(port: SqlPort, name: string, holder: string): Promise<void> {
  await port.db.deleteFrom('job_lease').where('name', '=', name).where('holder', '=', holder).execute();
}

/** The current holder of an unexpired lease, if any. */
async function leaseHolder(
  port: SqlPort,
  name: string,
): Promise<{ holder: string; expiresAt: Date } | undefined> {
  const row = await port.db
    .selectFrom('job_lease')
    .select(['holder', 'expires_at'])
    .where('name', '=', name)
    .where('expires_at', '>=', sql<Date>`now()`)
    .executeTakeFirst();
  return row === undefined ? undefined : { holder: row.holder, expiresAt: new Date(row.expires_at) };
}

export class LeaseHeldError extends Error {
  constructor(name: string, holder: string, expiresAt: Date) {
    super(
      `${name} is running elsewhere (${holder}, lease until ${expiresAt.toISOString()}); try again later`,
    );
    this.name = 'LeaseHeldError';
  }
}

/**
 * Runs `work` while holding the lease, renewing it every third of its length so a long run keeps it,
 * and releases it afterwards. Throws LeaseHeldError when another holder has it. `signal` aborts when
 * a renewal finds the lease lost, so the work can stop early.
 */
export async function withLease<T>(
  port: SqlPort,
  name: string,
  options: { holder?: string; seconds?: number },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const holder = options.holder ?? newLeaseHolder();
  const seconds = options.seconds ?? 120;
  if (!(await acquireLease(port, name, holder, seconds))) {
    const current = await leaseHolder(port, name);
    throw new LeaseHeldError(name, current?.holder ?? 'another instance', current?.expiresAt ?? new Date());
  }
  const lost = new AbortController();
  const renewal = setInterval(
    () => {
      acquireLease(port, name, holder, seconds).then(
        (kept) => {
          if (!kept) lost.abort(new Error(`lease ${name} was lost`));
        },
        () => {}, // A failed renewal is retried at the next tick; the lease outlasts two of them.
      );
    },
    (seconds * 1000) / 3,
  );
  renewal.unref();
  try {
    return await work(lost.signal);
  } finally {
    clearInterval(renewal);
    await releaseLease(port, name, holder).catch(() => {});
  }
}
