import type { ServerContext } from '../../runtime/server-context.ts';
import { type JanitorOptions, runJanitor } from './janitor.ts';
import type { JanitorReport } from './janitor-report.ts';
import { withLease } from './job-lease.ts';

/** The lease a janitor run holds, so two never remove things side by side. */
export const janitorLeaseName = 'files-janitor';

/**
 * One janitor run with this server's settings, as the CLI and the admin API ask for it. A real run
 * takes the lease (LeaseHeldError when one is under way elsewhere); a dry run removes nothing and
 * needs none.
 */
export async function runJanitorNow(
  context: ServerContext,
  options: Omit<JanitorOptions, 'uploadTtlSeconds'> = {},
): Promise<JanitorReport> {
  const { files } = context.config;
  const settings = {
    uploadTtlSeconds: files.uploadTtlSeconds,
    ...options,
    orphanGraceSeconds: options.orphanGraceSeconds ?? files.orphanGraceSeconds,
  };
  const ports = { sql: context.ports.sql, objects: context.ports.objects };
  if (options.dryRun) return runJanitor(ports, settings);
  return withLease(context.ports.sql, janitorLeaseName, {}, (leaseLost) =>
    runJanitor(ports, {
      ...settings,
      signal: options.signal === undefined ? leaseLost : AbortSignal.any([leaseLost, options.signal]),
    }),
  );
}
