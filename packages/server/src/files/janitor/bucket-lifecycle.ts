import {
  GetBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../../config/config.ts';
import { mergeLifecycleRules } from './lifecycle-rules.ts';

/** The store refused or does not implement bucket lifecycle: said in one line, for the CLI. */
export class LifecycleUnsupportedError extends Error {
  constructor(bucket: string, error: S3ServiceException) {
    super(
      `bucket ${bucket}: the object store refused the lifecycle configuration (${error.name}` +
        `${error.$metadata.httpStatusCode ? ` ${error.$metadata.httpStatusCode}` : ''}); ` +
        'set the printed rules with your provider’s own tools',
    );
    this.name = 'LifecycleUnsupportedError';
  }
}

function clientFor(config: S3Config): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
    maxAttempts: 2,
  });
}

async function currentRules(client: S3Client, bucket: string): Promise<LifecycleRule[]> {
  try {
    const current = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    return current.Rules ?? [];
  } catch (error) {
    if (error instanceof S3ServiceException && error.name === 'NoSuchLifecycleConfiguration') return [];
    throw error;
  }
}

/** Sets Guichet's rules on the bucket, keeping any other rule there; returns the bucket's rules now. */
export async function applyLifecycleRules(config: S3Config, ours: LifecycleRule[]): Promise<LifecycleRule[]> {
  const client = clientFor(config);
  try {
    const rules = mergeLifecycleRules(await currentRules(client, config.bucket), ours);
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: config.bucket,
        LifecycleConfiguration: { Rules: rules },
      }),
    );
    return rules;
  } catch (error) {
    // NotImplemented (s3rver, some gateways), AccessDenied, MalformedXML: the operator must act.
    if (error instanceof S3ServiceException) {
      throw new LifecycleUnsupportedError(config.bucket, error);
    }
    throw error;
  } finally {
    client.destroy();
  }
}
