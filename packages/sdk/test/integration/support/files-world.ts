import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AdminClient } from '../../../../server/src/cli/admin-client.ts';
import { openPgliteSql } from '../../../../server/src/ports/sql/pglite-driver.ts';
import {
  type FilesWorld,
  type ObjectsDriver,
  startFilesWorld,
} from '../../../../server/test/support/files-world.ts';
import type { GuichetProcess } from '../../../../server/test/support/guichet-process.ts';
import type { FilesClient } from '../../../src/files-types.ts';
import type { Guichet } from '../../../src/guichet.ts';
import { audiences, prepareWorld, sdkFor, signIn, type World } from './real-guichet.ts';

/** An object Guichet keeps, listed from its store as an operator would. */
export interface StoredObject {
  key: string;
  size: number;
}

/**
 * A real Guichet (embedded SQL and cache; objects on disk or in s3rver) with the test purposes, a
 * resource server and a person signed in to a business.
 */
export interface FilesGuichet {
  driver: ObjectsDriver;
  files: FilesWorld;
  world: World;
  process: GuichetProcess;
  admin: AdminClient;
  dataDir: string;
  /** Ada's access token for the JWT resource server; her session works in Acme. */
  token: string;
  /** The JWT resource server's settings for `createGuichet`, as an app on Guichet passes them. */
  resourceServer: { issuer: string; audience: string; clientId: string; clientSecret: string };
  sdk: Guichet;
  client: FilesClient;
  /** Objects under `files/`, listed from the object store. */
  listObjects(): Promise<StoredObject[]>;
  /** Bytes of the fs driver's uploads in progress (its `.tmp` dir); 0 with S3. */
  inProgressBytes(): Promise<number>;
  /** Stops the server, then counts `stored_file` rows by state in its (embedded) database. */
  stopAndCountRecords(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Purposes the files suites use. */
export const testPurposes = {
  'product-image': {
    types: ['image/png', 'image/jpeg', 'image/webp'],
    maxBytes: 5 * 1024 * 1024,
    maxCount: 5,
    maxPixels: 40_000_000,
  },
  'product-manual': { types: ['application/pdf'], maxBytes: 1024 ** 3, maxCount: 2 },
  'small-doc': { types: ['application/pdf'], maxBytes: 1024 * 1024, maxCount: 5 },
};

async function tmpBytes(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let total = 0;
  for (const name of names) {
    try {
      total += (await stat(path.join(dir, name))).size;
    } catch {
      // renamed into place or removed meanwhile
    }
  }
  return total;
}

export async function startFilesGuichet(
  driver: ObjectsDriver = 'fs',
  env: Record<string, string> = {},
): Promise<FilesGuichet> {
  const files = await startFilesWorld(driver, env);
  const { deployment, admin } = files;
  const { dataDir, process: guichetProcess } = deployment.main;
  let sdk: Guichet | undefined;
  let serverStopped = false;
  try {
    const world = await prepareWorld(deployment);
    for (const [name, purpose] of Object.entries(testPurposes)) await files.setPurpose(name, purpose);
    const tokens = await signIn(world, audiences.jwt, { businessId: world.acme.id });
    const opened = sdkFor(world, 'jwt', { events: 'none' });
    sdk = opened;
    return {
      driver,
      files,
      world,
      process: guichetProcess,
      admin,
      dataDir,
      token: tokens.access_token,
      resourceServer: {
        issuer: world.issuer,
        audience: audiences.jwt,
        clientId: world.service.id,
        clientSecret: world.service.secret,
      },
      sdk: opened,
      client: opened.files(tokens.access_token),
      async listObjects() {
        const found: StoredObject[] = [];
        for await (const info of files.objects.list('files/')) found.push({ key: info.key, size: info.size });
        return found.sort((a, b) => a.key.localeCompare(b.key));
      },
      inProgressBytes: () => tmpBytes(path.join(dataDir, 'objects', '.tmp')),
      async stopAndCountRecords() {
        await opened.close();
        serverStopped = true;
        await guichetProcess.stop();
        const sql = await openPgliteSql(path.join(dataDir, 'pglite'));
        try {
          const rows = await sql.db
            .selectFrom('stored_file')
            .select(['state', (eb) => eb.fn.countAll<string>().as('count')])
            .groupBy('state')
            .execute();
          return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
        } finally {
          await sql.close();
        }
      },
      async stop() {
        await opened.close();
        await files.stop();
      },
    };
  } catch (error) {
    await sdk?.close();
    if (!serverStopped) await files.stop();
    throw error;
  }
}
