import { type Migration, Migrator } from 'kysely';
import { allMigrations } from './migrations/index.ts';
import type { SqlPort } from './sql-port.ts';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Applies the pending migrations and returns the names it applied, oldest first. Safe to call from
 * several instances at once: Kysely's PostgreSQL adapter holds an advisory lock while migrating, and all
 * pending migrations run in one transaction, so a failure leaves the schema as it was.
 */
export async function migrateToLatest(
  sql: SqlPort,
  migrations: Readonly<Record<string, Migration>> = allMigrations,
): Promise<string[]> {
  const migrator = new Migrator({
    db: sql.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'guichet_migration',
    migrationLockTableName: 'guichet_migration_lock',
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((result) => result.status === 'Error');
  if (failed) {
    throw new Error(`migration ${failed.migrationName} failed: ${describe(error)}`, { cause: error });
  }
  if (error !== undefined)
    throw new Error(`migrating the database failed: ${describe(error)}`, { cause: error });
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
