import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileObjectKey, newFileId, variantObjectKey } from '../../src/files/file-keys.ts';
import type { VariantSpec } from '../../src/files/files-tables.ts';
import { createFsObjects } from '../../src/ports/objects/fs-driver.ts';
import type { ObjectsPort } from '../../src/ports/objects/objects-port.ts';
import { createS3Objects } from '../../src/ports/objects/s3-driver.ts';
import type { SqlPort } from '../../src/ports/sql/sql-port.ts';
import { type SqlDriverUnderTest, sqlDrivers } from '../support/domain-test-context.ts';
import { type RunningS3rver, startS3rver } from '../support/s3rver.ts';

/** An object store of the test's own. */
export interface TestObjects {
  objects: ObjectsPort;
  /** Set for s3rver: stopping it is an object store failure. */
  s3rver: RunningS3rver | undefined;
  dispose(): Promise<void>;
}

export interface ObjectsDriverUnderTest {
  name: 'fs' | 's3';
  fresh(): Promise<TestObjects>;
}

/** Both object drivers: the filesystem in a temporary directory, and s3rver. */
export const objectsDrivers: ObjectsDriverUnderTest[] = [
  {
    name: 'fs',
    async fresh() {
      const root = await mkdtemp(path.join(os.tmpdir(), 'guichet-files-jobs-'));
      const objects = await createFsObjects({
        root,
        publicBaseUrl: 'http://127.0.0.1:1',
        signingKey: randomBytes(32),
      });
      return {
        objects,
        s3rver: undefined,
        dispose: async () => {
          await objects.close();
          await rm(root, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 's3',
    async fresh() {
      const s3rver = await startS3rver();
      const objects = await createS3Objects(s3rver.config);
      return {
        objects,
        s3rver,
        dispose: async () => {
          await objects.close();
          await s3rver.dispose();
        },
      };
    },
  },
];

/** An SQL driver and an object driver that the file jobs are tested on together. */
export interface DriverPair {
  label: string;
  sqlDriver: SqlDriverUnderTest;
  objectsDriver: ObjectsDriverUnderTest;
}

function pair(sqlName: SqlDriverUnderTest['name'], objectsName: ObjectsDriverUnderTest['name']): DriverPair {
  const sqlDriver = sqlDrivers.find((driver) => driver.name === sqlName);
  const objectsDriver = objectsDrivers.find((driver) => driver.name === objectsName);
  if (sqlDriver === undefined || objectsDriver === undefined) throw new Error('unknown driver');
  return { label: `${sqlName}, ${objectsName}`, sqlDriver, objectsDriver };
}

/** The embedded defaults, and the production drivers. */
export const driverPairs: DriverPair[] = [pair('pglite', 'fs'), pair('postgres', 's3')];

export const thumb: VariantSpec = { name: 'thumb', width: 64, height: 64, fit: 'cover', format: 'webp' };
export const medium: VariantSpec = { name: 'medium', width: 200, height: 150, fit: 'inside', format: 'jpeg' };

export async function insertBusiness(sql: SqlPort): Promise<string> {
  const id = `biz_${randomBytes(8).toString('hex')}`;
  await sql.db
    .insertInto('business')
    .values({ id, name: 'Files jobs test', slug: id.replace('_', '-') })
    .execute();
  return id;
}

export async function insertPurpose(
  sql: SqlPort,
  name: string,
  variants: VariantSpec[],
  maxPixels: number | null = null,
): Promise<void> {
  await sql.db
    .insertInto('file_purpose')
    .values({
      name,
      types: ['image/png', 'image/jpeg'],
      max_bytes: 10_000_000,
      max_count: 10,
      max_pixels: maxPixels,
      variants: JSON.stringify(variants),
    })
    .execute();
}

export interface FileRow {
  id: string;
  objectKey: string;
}

/** A stored_file row as the upload code leaves it: staged (until `stagedUntil`) or committed. */
export async function insertFile(
  sql: SqlPort,
  options: {
    businessId: string;
    purpose: string;
    state: 'staged' | 'committed';
    stagedUntil?: Date;
    id?: string;
  },
): Promise<FileRow> {
  const id = options.id ?? newFileId();
  const objectKey = fileObjectKey(id);
  const committed = options.state === 'committed';
  await sql.db
    .insertInto('stored_file')
    .values({
      id,
      business_id: options.businessId,
      purpose: options.purpose,
      state: options.state,
      object_key: objectKey,
      filename: 'photo.png',
      max_bytes: 10_000_000,
      content_type: committed ? 'image/png' : null,
      created_by: 'acc_test',
      staged_until: committed ? null : (options.stagedUntil ?? new Date(Date.now() + 3600_000)),
      committed_at: committed ? new Date() : null,
    })
    .execute();
  return { id, objectKey };
}

/** One pending file_variant row per spec, as commit inserts them. */
export async function insertPendingVariants(
  sql: SqlPort,
  fileId: string,
  specs: VariantSpec[],
): Promise<void> {
  await sql.db
    .insertInto('file_variant')
    .values(
      specs.map((spec) => ({
        file_id: fileId,
        name: spec.name,
        object_key: variantObjectKey(fileId, spec.name),
        state: 'pending' as const,
      })),
    )
    .execute();
}

export async function putBytes(objects: ObjectsPort, key: string, bytes: Buffer): Promise<void> {
  await objects.put(key, Readable.from([bytes]), { size: bytes.length });
}

export async function readAll(objects: ObjectsPort, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await objects.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function listKeys(objects: ObjectsPort, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of objects.list(prefix)) keys.push(info.key);
  return keys.sort();
}
