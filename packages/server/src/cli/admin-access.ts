import { readAdminTokenFile } from '../admin/admin-credential.ts';
import type { Config } from '../config/config.ts';
import { migrateToLatest } from '../ports/sql/migrate.ts';
import { acquireDataDirLock, DataDirBusyError, readLockHolder } from '../runtime/data-dir-lock.ts';
import { closePorts, openPorts } from '../runtime/ports.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { loadMasterKey } from '../secrets/master-key.ts';
import { type AdminClient, createAdminClient } from './admin-client.ts';

export interface RemoteOptions {
  server?: string;
  token?: string;
}

/** What an administrative command does, once through the admin API and once on the data itself. */
export interface AdminOperation<T> {
  remote(client: AdminClient): Promise<T>;
  local(context: ServerContext): Promise<T>;
  /** Set by `migrate` itself; every other command first brings the schema up to date. */
  skipMigrations?: boolean;
}

/**
 * Runs an administrative operation where the data is: through `--server`'s admin API, through the
 * admin API of a server that holds this embedded data dir, or directly on the database.
 */
export async function runAdminOperation<T>(
  config: Config,
  remote: RemoteOptions,
  operation: AdminOperation<T>,
): Promise<T> {
  if (remote.server !== undefined) {
    const token =
      remote.token ?? process.env.GUICHET_ADMIN_TOKEN ?? (await readAdminTokenFile(config.dataDir));
    if (token === undefined)
      throw new Error('--server needs an admin token: pass --token or set GUICHET_ADMIN_TOKEN');
    return operation.remote(createAdminClient(remote.server, token));
  }
  if (config.databaseUrl === undefined) {
    const holder = await readLockHolder(config.dataDir);
    if (holder?.role === 'server' && holder.url !== undefined) {
      const token = remote.token ?? (await readAdminTokenFile(config.dataDir));
      if (token === undefined) throw new Error(`no admin token in ${config.dataDir}; pass --token`);
      return operation.remote(createAdminClient(holder.url, token));
    }
    if (holder) throw new DataDirBusyError(config.dataDir, holder);
  }
  const lock = config.databaseUrl === undefined ? await acquireDataDirLock(config.dataDir, 'cli') : undefined;
  try {
    const masterKey = await loadMasterKey(config);
    const ports = await openPorts(config, masterKey);
    try {
      if (!operation.skipMigrations) await migrateToLatest(ports.sql);
      return await operation.local({ config, ports, masterKey });
    } finally {
      await closePorts(ports);
    }
  } finally {
    await lock?.release();
  }
}
