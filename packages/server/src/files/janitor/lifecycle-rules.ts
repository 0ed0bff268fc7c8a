import type { LifecycleRule } from '@aws-sdk/client-s3';
import { stagedObjectTags } from '../file-keys.ts';

/** Rules Guichet owns carry this ID prefix: applying replaces them and keeps everyone else's. */
const guichetRulePrefix = 'guichet-';

/**
 * The bucket's safety net behind the janitor (S3 runs lifecycle rules about once a day): objects still
 * tagged as staged expire some days after the upload TTL, and multipart uploads a crash left
 * incomplete are aborted. Tags cannot filter the multipart rule, so it applies to the whole bucket.
 */
export function guichetLifecycleRules(uploadTtlSeconds: number): LifecycleRule[] {
  // A day of margin on top of the TTL rounded up: the janitor is meant to get there first.
  const stagedDays = Math.ceil(uploadTtlSeconds / 86_400) + 1;
  const [tag] = Object.entries(stagedObjectTags);
  if (tag === undefined) throw new Error('no staged object tag is defined');
  return [
    {
      ID: `${guichetRulePrefix}expire-staged-uploads`,
      Status: 'Enabled',
      Filter: { Tag: { Key: tag[0], Value: tag[1] } },
      Expiration: { Days: stagedDays },
    },
    {
      ID: `${guichetRulePrefix}abort-incomplete-multipart-uploads`,
      Status: 'Enabled',
      Filter: { Prefix: '' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    },
  ];
}

/** The bucket's rules with Guichet's replaced by `ours`: PutBucketLifecycleConfiguration replaces them all. */
export function mergeLifecycleRules(existing: LifecycleRule[], ours: LifecycleRule[]): LifecycleRule[] {
  return [...existing.filter((rule) => !rule.ID?.startsWith(guichetRulePrefix)), ...ours];
}
