import type { LifecycleRule } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import type { CliContext } from '../../cli/cli-context.ts';
import type { ServerContext } from '../../runtime/server-context.ts';
import { applyLifecycleRules } from './bucket-lifecycle.ts';
import { guichetLifecycleRules } from './lifecycle-rules.ts';

export interface LifecycleResult {
  bucket: string;
  /** Guichet's rules, as PutBucketLifecycleConfiguration takes them. */
  rules: LifecycleRule[];
  applied: boolean;
}

/** With the filesystem driver there is no bucket: the janitor alone removes what was left staged. */
export class LifecycleNeedsS3Error extends Error {
  constructor() {
    super(
      'lifecycle rules are S3-only: objects are stored on the filesystem, where the janitor does this work',
    );
    this.name = 'LifecycleNeedsS3Error';
  }
}

/** The rules for this server's bucket, set on it when `apply`; used by the CLI and the admin API. */
export async function lifecycleRules(context: ServerContext, apply: boolean): Promise<LifecycleResult> {
  const { s3, files } = context.config;
  if (s3 === undefined) throw new LifecycleNeedsS3Error();
  const rules = guichetLifecycleRules(files.uploadTtlSeconds);
  if (apply) await applyLifecycleRules(s3, rules);
  return { bucket: s3.bucket, rules, applied: apply };
}

/** `guichet files lifecycle [--apply]`: the S3 lifecycle rules that back up the janitor. */
export function registerLifecycleCommands(files: Command, cli: CliContext): void {
  files
    .command('lifecycle')
    .description(
      'print (with --apply, set) the S3 lifecycle rules that expire staged objects and abort incomplete multipart uploads',
    )
    .option('--apply', "set the rules on the bucket (other rules there are kept; Guichet's are replaced)")
    .action(async (options: { apply?: boolean }) => {
      const apply = options.apply === true;
      const result = await cli.run<LifecycleResult>({
        remote: (client) => client.request('POST', '/files/lifecycle', { apply }),
        local: (context) => lifecycleRules(context, apply),
      });
      // The JSON is what `aws s3api put-bucket-lifecycle-configuration --lifecycle-configuration` takes.
      cli.print(JSON.stringify({ Rules: result.rules }, null, 2));
      if (result.applied) cli.print(`applied to bucket ${result.bucket}`);
    });
}
