import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { CachePort } from '../ports/cache/cache-port.ts';
import { openCache } from '../ports/cache/open-cache.ts';
import type { ObjectsPort } from '../ports/objects/objects-port.ts';
import { openObjects } from '../ports/objects/open-objects.ts';
import { openSql } from '../ports/sql/open-sql.ts';
import type { SqlPort } from '../ports/sql/sql-port.ts';
import { deriveKey } from '../secrets/master-key.ts';

export interface Ports {
  sql: SqlPort;
  cache: CachePort;
  objects: ObjectsPort;
}

export type PortName = keyof Ports;

/** deriveKey() purpose of the key that signs the filesystem driver's URLs. */
export const objectSigningPurpose = 'objects/signed-url';

/** Opens the three ports with the drivers the configuration selects; closes what opened if one fails. */
export async function openPorts(config: Config, masterKey: string, logger?: Logger): Promise<Ports> {
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const sql = await openSql({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    opened.push(sql);
    const cache = await openCache({
      redisUrl: config.redisUrl,
      keyPrefix: config.redisPrefix,
      onError: (error) => logger?.warn({ err: error }, 'cache port trouble'),
    });
    opened.push(cache);
    const objects = await openObjects({
      s3: config.s3,
      dataDir: config.dataDir,
      publicBaseUrl: config.issuer,
      signingKey: deriveKey(masterKey, objectSigningPurpose),
    });
    return { sql, cache, objects };
  } catch (error) {
    await Promise.allSettled(opened.map((port) => port.close()));
    throw error;
  }
}

export async function closePorts(ports: Ports): Promise<void> {
  await Promise.allSettled([ports.objects.close(), ports.cache.close(), ports.sql.close()]);
}
