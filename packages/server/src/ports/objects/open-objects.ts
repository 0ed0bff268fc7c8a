import path from 'node:path';
import type { S3Config } from '../../config/config.ts';
import { createFsObjects } from './fs-driver.ts';
import type { ObjectsPort } from './objects-port.ts';
import { createS3Objects } from './s3-driver.ts';

export interface OpenObjectsOptions {
  /** When set, objects live in this bucket; otherwise on disk under `${dataDir}/objects`. */
  s3?: S3Config | undefined;
  dataDir: string;
  /** Where signedObjectRoutes is reachable, for the filesystem driver's signed URLs. */
  publicBaseUrl: string;
  signingKey: Buffer;
}

/** Picks the object storage driver the configuration asks for. */
export async function openObjects(options: OpenObjectsOptions): Promise<ObjectsPort> {
  if (options.s3) return createS3Objects(options.s3);
  return createFsObjects({
    root: path.join(options.dataDir, 'objects'),
    publicBaseUrl: options.publicBaseUrl,
    signingKey: options.signingKey,
  });
}
