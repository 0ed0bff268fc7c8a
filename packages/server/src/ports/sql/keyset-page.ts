import { type RawBuilder, sql } from 'kysely';
import type { Database } from './schema.ts';

/*
 * Keyset pagination in creation order, for tables keyed by an opaque id: a page ends with the id of its
 * last row, and the next page starts after that row's (created_at, id). The id breaks ties between rows
 * created in the same microsecond.
 */

/** The tables that can be paged this way: an id and a creation time. */
export type KeysetTable = {
  [Table in keyof Database]: Database[Table] extends { id: string; created_at: unknown } ? Table : never;
}[keyof Database];

/** The requested page size as a whole number from 1 to `max`. */
export function keysetPageSize(requested: number, max: number): number {
  return Math.min(Math.max(Math.trunc(requested), 1), max);
}

/**
 * Where a row comes after the row of `table` whose id is `after`, in (created_at, id) order. Compared in
 * the database, at its microsecond precision, rather than via JS dates; an id that does not exist
 * matches nothing, so it gives an empty page.
 */
export function createdAfter(table: KeysetTable, after: string): RawBuilder<boolean> {
  return sql<boolean>`(created_at, id) > (select cursor.created_at, cursor.id from ${sql.table(table)} as cursor where cursor.id = ${after})`;
}

/**
 * Splits the `size + 1` rows a query ordered by (created_at, id) fetched into the page and the id to
 * pass as `after` for the next one (null on the last page).
 */
export function keysetPage<Row extends { id: string }>(
  rows: readonly Row[],
  size: number,
): { rows: Row[]; next: string | null } {
  const page = rows.slice(0, size);
  const last = page.at(-1);
  return { rows: page, next: rows.length > size && last !== undefined ? last.id : null };
}
