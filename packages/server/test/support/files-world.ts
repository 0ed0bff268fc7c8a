import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as client from 'openid-client';
import type { AdminClient } from '../../src/cli/admin-client.ts';
import type { VariantSpec } from '../../src/files/files-tables.ts';
import type { PurposeInput } from '../../src/files/purposes/purpose-input.ts';
import { createFsObjects } from '../../src/ports/objects/fs-driver.ts';
import type { ObjectsPort } from '../../src/ports/objects/objects-port.ts';
import { createS3Objects } from '../../src/ports/objects/s3-driver.ts';
import { HttpBrowser } from './http-browser.ts';
import {
  authorizationRequest,
  authorize,
  createUser,
  type OidcDeployment,
  registerClient,
  startEmbedded,
  type TestClient,
  type TestUser,
} from './oidc-flow.ts';
import { type RunningS3rver, startS3rver } from './s3rver.ts';

export type ObjectsDriver = 'fs' | 's3';

/** A person signed in to an app, working in one business. */
export interface FilesMember {
  user: TestUser;
  businessId: string;
  /** Their access token: what an app sends to the files API on their behalf. */
  token: string;
}

/** What a purpose allows, as the admin API takes it: there a variant's fit and format have defaults. */
export interface PurposeBody extends Omit<PurposeInput, 'variants'> {
  variants?: Array<Pick<VariantSpec, 'name' | 'width' | 'height'> & Partial<VariantSpec>>;
}

/** A Guichet on embedded SQL and cache, with its objects on disk or in s3rver, ready for file tests. */
export interface FilesWorld {
  driver: ObjectsDriver;
  deployment: OidcDeployment;
  issuer: string;
  admin: AdminClient;
  /** s3rver when driver is 's3'. */
  s3: RunningS3rver | undefined;
  /** The same object store the server uses, opened by the test, to list and inspect what is kept. */
  objects: ObjectsPort;
  setPurpose(name: string, body: PurposeBody): Promise<void>;
  /** A new person in a new business (or `businessId`), signed in, with an access token. */
  member(options?: { businessId?: string; roles?: string[] }): Promise<FilesMember>;
  /** Every object key under `prefix` (default: all of Guichet's file and variant objects). */
  objectKeys(prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** The settings that point a Guichet at `s3` (none for the filesystem driver). */
export function s3Env(s3: RunningS3rver | undefined): Record<string, string> {
  if (s3 === undefined) return {};
  return {
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: s3.config.accessKeyId ?? '',
    S3_SECRET_ACCESS_KEY: s3.config.secretAccessKey ?? '',
    S3_FORCE_PATH_STYLE: 'true',
  };
}

/**
 * Starts the world. With 's3', s3rver runs in a child process and Guichet talks to it with the same
 * credentials a production deployment would use.
 */
export async function startFilesWorld(
  driver: ObjectsDriver,
  env: Record<string, string> = {},
): Promise<FilesWorld> {
  const s3 = driver === 's3' ? await startS3rver() : undefined;
  let deployment: OidcDeployment;
  try {
    deployment = await startEmbedded({ ...s3Env(s3), ...env });
  } catch (error) {
    await s3?.dispose();
    throw error;
  }
  const { admin, dataDir } = deployment.main;
  const objects = s3
    ? await createS3Objects(s3.config)
    : await createFsObjects({
        root: path.join(dataDir, 'objects'),
        publicBaseUrl: deployment.issuer,
        // Only for listing and reading: this port never signs a URL the server would check.
        signingKey: randomBytes(32),
      });
  let app: TestClient | undefined;

  async function member(options: { businessId?: string; roles?: string[] } = {}): Promise<FilesMember> {
    app ??= await registerClient(deployment, { firstParty: true });
    const user = await createUser(admin, `Member ${randomBytes(3).toString('hex')}`);
    const businessId =
      options.businessId ??
      (
        await admin.request<{ id: string }>('POST', '/businesses', {
          name: `Shop ${randomBytes(4).toString('hex')}`,
        })
      ).id;
    await admin.request('POST', `/businesses/${businessId}/members`, {
      email: user.email,
      roles: options.roles ?? ['member'],
    });
    const browser = new HttpBrowser();
    const request = await authorizationRequest(app, { scope: 'openid' });
    const callback = new URL(
      (await authorize(browser, app, request, user, [], { businessId })).location ?? '',
    );
    const tokens = await client.authorizationCodeGrant(app.config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    return { user, businessId, token: tokens.access_token };
  }

  return {
    driver,
    deployment,
    issuer: deployment.issuer,
    admin,
    s3,
    objects,
    async setPurpose(name, body) {
      await admin.request('PUT', `/file-purposes/${name}`, body);
    },
    member,
    async objectKeys(prefix = '') {
      const keys: string[] = [];
      for await (const info of objects.list(prefix)) {
        if (info.key.startsWith('files/') || info.key.startsWith('variants/')) keys.push(info.key);
      }
      return keys.sort();
    },
    async stop() {
      await objects.close();
      await deployment.stop();
      await s3?.dispose();
    },
  };
}

/** Calls the files API as `member`: JSON in, JSON (or problem details) out. */
export async function filesApi(
  world: FilesWorld,
  member: Pick<FilesMember, 'token'>,
  method: 'GET' | 'POST' | 'DELETE',
  route: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${world.issuer}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${member.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

/** Stages bytes the way any app or browser does: create the upload, then PUT to its signed URL. */
export async function stageBytes(
  world: FilesWorld,
  member: Pick<FilesMember, 'token'>,
  upload: { purpose: string; filename: string; bytes: Buffer; declareSize?: boolean; contentType?: string },
): Promise<{ id: string; putStatus: number }> {
  const created = await filesApi(world, member, 'POST', '/files/uploads', {
    purpose: upload.purpose,
    filename: upload.filename,
    ...(upload.declareSize === false ? {} : { size: upload.bytes.length }),
    ...(upload.contentType ? { contentType: upload.contentType } : {}),
  });
  if (created.status !== 201)
    throw new Error(`POST /files/uploads: ${created.status} ${JSON.stringify(created.json)}`);
  const { id, url, headers } = created.json as { id: string; url: string; headers: Record<string, string> };
  const put = await fetch(url, { method: 'PUT', headers, body: upload.bytes });
  await put.arrayBuffer();
  return { id, putStatus: put.status };
}
