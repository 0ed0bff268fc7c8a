/** What one janitor run found and did (or, with dryRun, would have done). */
export interface JanitorReport {
  dryRun: boolean;
  /** Staged uploads past their TTL: row and object removed. */
  expiredUploads: number;
  /** Objects under files/ or variants/ with no record, older than the grace: removed. */
  orphanObjects: number;
  /** Objects with no record yet, but younger than the grace: left for a later run. */
  recentUnrecordedObjects: number;
  /** Committed files whose object is missing: reported, not repaired (the bytes are gone). */
  missingObjects: number;
  /** Keys of the first of those, for the log and the operator. */
  missingKeys: string[];
  /** Ready variants whose object is missing: queued again, as they can be rendered anew. */
  requeuedVariants: number;
  scannedObjects: number;
  durationMs: number;
}

export type JanitorPhase = 'expired uploads' | 'files' | 'variants';

export interface JanitorProgress {
  phase: JanitorPhase;
  done: number;
  /** An estimate for the scans (the number of records); exact for expired uploads. */
  total: number;
}
