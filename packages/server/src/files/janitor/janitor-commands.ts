import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../../cli/cli-context.ts';
import {
  type JanitorProgressDisplay,
  janitorProgressDisplay,
  type ProgressStream,
} from './janitor-progress.ts';
import type { JanitorReport } from './janitor-report.ts';
import { runJanitorNow } from './run-janitor-now.ts';

function seconds(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed))
    throw new InvalidArgumentError('expected a whole number of seconds');
  return parsed;
}

/** One line a person reads first; the JSON after it is for scripts. */
function summary(report: JanitorReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const parts = [
    `${verb} ${report.expiredUploads} expired upload(s) and ${report.orphanObjects} object(s) without a record`,
    `${report.missingObjects} committed file(s) missing their object`,
  ];
  if (report.requeuedVariants > 0) parts.push(`${report.requeuedVariants} lost variant(s) queued again`);
  if (report.recentUnrecordedObjects > 0)
    parts.push(`${report.recentUnrecordedObjects} unrecorded object(s) still within the grace`);
  return `files janitor: ${parts.join('; ')}`;
}

/**
 * `guichet files janitor [--dry-run] [--grace <seconds>]`: one janitor run now, where the data is.
 * Progress goes to `progress` (standard error): a bar on a terminal, plain lines otherwise.
 */
export function registerJanitorCommands(
  files: Command,
  cli: CliContext,
  progress: ProgressStream = process.stderr,
): void {
  files
    .command('janitor')
    .description(
      'remove staged uploads past their TTL and objects without a record; report files whose object is missing',
    )
    .option('--dry-run', 'report what would be removed, remove nothing')
    .option(
      '--grace <seconds>',
      'leave objects without a record alone until they are this old (default GUICHET_ORPHAN_GRACE_SECONDS)',
      seconds,
    )
    .action(async (options: { dryRun?: boolean; grace?: number }) => {
      const dryRun = options.dryRun === true;
      const report = await cli.run<JanitorReport>({
        remote: (client) =>
          client.request('POST', '/files/janitor', {
            dryRun,
            ...(options.grace === undefined ? {} : { graceSeconds: options.grace }),
          }),
        local: async (context) => {
          const display: JanitorProgressDisplay = janitorProgressDisplay(progress);
          try {
            return await runJanitorNow(context, {
              dryRun,
              ...(options.grace === undefined ? {} : { orphanGraceSeconds: options.grace }),
              onProgress: (update) => display.update(update),
            });
          } finally {
            display.stop();
          }
        },
      });
      cli.print(summary(report));
      cli.print(JSON.stringify(report, null, 2));
    });
}
