import type { Migration } from 'kysely';
import * as meta from './0001-meta.ts';
import * as adminCredential from './0002-admin-credential.ts';
import * as oidcPayload from './0003-oidc-payload.ts';
import * as accounts from './0004-accounts.ts';
import * as signingKeys from './0005-signing-keys.ts';
import * as clients from './0006-clients.ts';
import * as businesses from './0007-businesses.ts';
import * as resourceServers from './0008-resource-servers.ts';
import * as eventLog from './0009-event-log.ts';
import * as sessionContext from './0010-session-context.ts';
import * as files from './0011-files.ts';
import * as oidcPayloadRoomToConsume from './0012-oidc-payload-room-to-consume.ts';

/**
 * Every migration, keyed by the name recorded in `guichet_migration`. Listed in code rather than
 * found on disk so a bundled or installed server always carries exactly the migrations it was built with.
 * Forward-only: names are applied in sorted order and never edited once released.
 */
export const allMigrations: Readonly<Record<string, Migration>> = {
  '0001-meta': meta,
  '0002-admin-credential': adminCredential,
  '0003-oidc-payload': oidcPayload,
  '0004-accounts': accounts,
  '0005-signing-keys': signingKeys,
  '0006-clients': clients,
  '0007-businesses': businesses,
  '0008-resource-servers': resourceServers,
  '0009-event-log': eventLog,
  '0010-session-context': sessionContext,
  '0011-files': files,
  '0012-oidc-payload-room-to-consume': oidcPayloadRoomToConsume,
};
