import { Counter, Gauge, type Registry } from 'prom-client';
import type { JanitorReport } from './janitor-report.ts';

export interface JanitorMetrics {
  record(report: JanitorReport): void;
}

/** Prometheus figures of the janitor, so a missing object pages someone instead of waiting in a log. */
export function createJanitorMetrics(registry: Registry): JanitorMetrics {
  const missing = new Gauge({
    name: 'guichet_files_missing_objects',
    help: 'Committed files whose object is missing, as of the last janitor run',
    registers: [registry],
  });
  const removed = new Counter({
    name: 'guichet_files_janitor_removed_total',
    help: 'What the files janitor removed: expired staged uploads and objects without a record',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: 'guichet_files_janitor_last_run_timestamp_seconds',
    help: 'When the files janitor last finished a run',
    registers: [registry],
  });
  return {
    record(report) {
      missing.set(report.missingObjects);
      lastRun.set(Date.now() / 1000);
      if (report.dryRun) return;
      removed.inc({ kind: 'expired_upload' }, report.expiredUploads);
      removed.inc({ kind: 'orphan_object' }, report.orphanObjects);
    },
  };
}
