import type { SqlPort } from '../ports/sql/sql-port.ts';
import { type AccountsLogger, processWarningLogger } from './accounts-logger.ts';

/** Dotted, past-tense names such as `sign_in.success` or `account.created`. */
export type AuditEventType = string;

export interface NewAuditEvent {
  type: AuditEventType;
  accountId?: string | undefined;
  clientId?: string | undefined;
  ip?: string | undefined;
  /** Facts about the event; never a password, secret or token. */
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  id: string;
  at: Date;
  type: AuditEventType;
  accountId: string | null;
  clientId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/**
 * Writes one event. Never rejects: the audit trail must not turn a sign-in or an admin action into an
 * error, so a failed write is logged (type and account only) and the caller carries on.
 */
export async function recordAuditEvent(
  sql: SqlPort,
  event: NewAuditEvent,
  logger: AccountsLogger = processWarningLogger,
): Promise<void> {
  try {
    await sql.db
      .insertInto('audit_event')
      .values({
        type: event.type,
        account_id: event.accountId ?? null,
        client_id: event.clientId ?? null,
        ip: event.ip ?? null,
        details: JSON.stringify(event.details ?? {}),
      })
      .execute();
  } catch (error) {
    logger.warn({ err: error, auditType: event.type, accountId: event.accountId }, 'audit event lost');
  }
}

export interface AuditQuery {
  accountId?: string | undefined;
  type?: AuditEventType | undefined;
  /** At most this many, newest first (1 to 1000). */
  limit: number;
}

export async function listAuditEvents(sql: SqlPort, query: AuditQuery): Promise<AuditEvent[]> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 1000);
  let select = sql.db
    .selectFrom('audit_event')
    .select(['id', 'at', 'type', 'account_id', 'client_id', 'ip', 'details'])
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (query.accountId !== undefined) select = select.where('account_id', '=', query.accountId);
  if (query.type !== undefined) select = select.where('type', '=', query.type);
  const rows = await select.execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    type: row.type,
    accountId: row.account_id,
    clientId: row.client_id,
    ip: row.ip,
    details: row.details,
  }));
}
