import type { Migration } from 'kysely';
import * as meta from './0001-meta.ts';
import * as adminCredential from './0002-admin-credential.ts';

/**
 * Every migration, keyed by the name recorded in `guichet_migration`. Listed in code rather than
 * found on disk so a bundled or installed server always carries exactly the migrations it was built with.
 * Forward-only: names are applied in sorted order and never edited once released.
 */
export const allMigrations: Readonly<Record<string, Migration>> = {
  '0001-meta': meta,
  '0002-admin-credential': adminCredential,
};
