import type { PreparedStatement } from './prepared-statement.ts';
import type { SqlPort } from './sql-port.ts';
import { createStatementBatcher } from './statement-batcher.ts';

/**
 * A lookup by one unique text column, for hot reads: the calls made in the same turn of the event
 * loop share one statement. `statement` takes the keys as `$1::text[]` and returns the matching rows,
 * each carrying its key in `keyColumn`.
 */
export function batchedLookup<Row>(
  statement: PreparedStatement,
  keyColumn: keyof Row & string,
): (sql: SqlPort, key: string) => Promise<Row | undefined> {
  // One batcher per port: a batch runs on the database its callers asked.
  const batchers = new WeakMap<SqlPort, (key: string) => Promise<Row | undefined>>();
  return (sql, key) => {
    let lookup = batchers.get(sql);
    if (lookup === undefined) {
      lookup = createStatementBatcher<string, Row | undefined>({
        run: async (keys) => {
          const rows = await sql.run<Row>(statement, [keys]);
          const found = new Map(rows.map((row) => [String(row[keyColumn]), row]));
          return keys.map((wanted) => found.get(wanted));
        },
        key: (wanted) => wanted,
      });
      batchers.set(sql, lookup);
    }
    return lookup(key);
  };
}
