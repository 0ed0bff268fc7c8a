import path from 'node:path';
import { openPgliteSql } from './pglite-driver.ts';
import { openPostgresSql } from './postgres-driver.ts';
import type { SqlPort } from './sql-port.ts';

/** PostgreSQL when a database URL is configured, otherwise the embedded database under `dataDir/pglite`. */
export function openSql(options: { databaseUrl?: string; dataDir: string }): Promise<SqlPort> {
  if (options.databaseUrl) return openPostgresSql(options.databaseUrl);
  return openPgliteSql(path.join(options.dataDir, 'pglite'));
}
