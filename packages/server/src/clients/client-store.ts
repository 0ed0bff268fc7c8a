import { sql } from 'kysely';
import type { ClientMetadata } from 'oidc-provider';
import { checkEncryptionKey, type EncryptionKey } from '../resources/encryption-key.ts';
import { ResourceServerInputError } from '../resources/resource-server-errors.ts';
import type { ServerContext } from '../runtime/server-context.ts';
import { newClientId, newClientSecret, openClientSecret, sealClientSecret } from './client-credentials.ts';
import { ClientHasNoSecretError, ClientInputError } from './client-errors.ts';
import { type ClientInput, validateClientInput } from './client-input.ts';
import { clientMetadataFor, idTokenEncryptionMetadata } from './client-metadata.ts';
import { type ClientRow, clientRowCacheFor } from './client-row-cache.ts';
import { type ClientView, type ClientWithSecret, clientView } from './client-view.ts';

/** Longer ids are not ours: answered without a query, so junk in a request costs nothing. */
const maxClientIdLength = 200;

/**
 * Registers a client. The secret (confidential and service clients) is returned here and only here;
 * what is stored is sealed. Throws ClientInputError, having changed nothing, when the input is refused.
 */
/** Checks the key a client registers for encrypted ID tokens (public, usable, no private part). */
async function idTokenEncryptionKeyOf(
  kind: string,
  jwk: object | undefined,
): Promise<EncryptionKey | undefined> {
  if (jwk === undefined) return undefined;
  if (kind === 'service')
    throw new ClientInputError('a service client receives no ID tokens: it takes no encryption key');
  try {
    return await checkEncryptionKey(jwk);
  } catch (error) {
    if (error instanceof ResourceServerInputError)
      throw new ClientInputError(`ID token encryption key: ${error.message}`);
    throw error;
  }
}

export async function createClient(context: ServerContext, input: ClientInput): Promise<ClientWithSecret> {
  const valid = validateClientInput(input);
  const encryption = await idTokenEncryptionKeyOf(valid.kind, input.idTokenEncryptionKey);
  const clientId = newClientId();
  const secret = valid.kind === 'public' ? undefined : newClientSecret();
  const row = await context.ports.sql.db
    .insertInto('oidc_client')
    .values({
      client_id: clientId,
      name: valid.name,
      kind: valid.kind,
      metadata: JSON.stringify({
        ...clientMetadataFor(valid),
        ...(encryption === undefined ? {} : idTokenEncryptionMetadata(encryption)),
      }),
      secret_sealed: secret === undefined ? null : sealClientSecret(context.masterKey, clientId, secret),
      first_party: valid.firstParty,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...clientView(row), ...(secret === undefined ? {} : { client_secret: secret }) };
}

export async function listClients(context: ServerContext): Promise<ClientView[]> {
  const rows = await context.ports.sql.db
    .selectFrom('oidc_client')
    .selectAll()
    .orderBy('created_at')
    .orderBy('client_id')
    .execute();
  return rows.map(clientView);
}

/** Straight from SQL: what an administrator looks at must be current. */
export async function getClient(context: ServerContext, clientId: string): Promise<ClientView | undefined> {
  const row = await context.ports.sql.db
    .selectFrom('oidc_client')
    .selectAll()
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row === undefined ? undefined : clientView(row);
}

/** Returns whether the client existed. Its tokens stop working with it: the provider no longer finds it. */
export async function deleteClient(context: ServerContext, clientId: string): Promise<boolean> {
  const deleted = await context.ports.sql.db
    .deleteFrom('oidc_client')
    .where('client_id', '=', clientId)
    .returning('client_id')
    .executeTakeFirst();
  if (deleted === undefined) return false;
  await clientRowCacheFor(context.ports).invalidate(clientId);
  return true;
}

/**
 * Replaces the client's secret; the new one is returned once and the old one stops working (within
 * clientCacheTtlMs on every instance). Undefined for an unknown client; throws ClientHasNoSecretError
 * for a public one.
 */
export async function rotateClientSecret(
  context: ServerContext,
  clientId: string,
): Promise<ClientWithSecret | undefined> {
  const { db } = context.ports.sql;
  const current = await db
    .selectFrom('oidc_client')
    .select('kind')
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (current === undefined) return undefined;
  if (current.kind === 'public') throw new ClientHasNoSecretError(clientId);
  const secret = newClientSecret();
  const row = await db
    .updateTable('oidc_client')
    .set({ secret_sealed: sealClientSecret(context.masterKey, clientId, secret), updated_at: sql`now()` })
    .where('client_id', '=', clientId)
    .where('kind', '<>', 'public')
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) return undefined;
  await clientRowCacheFor(context.ports).invalidate(clientId);
  return { ...clientView(row), client_secret: secret };
}

function isPlausibleClientId(clientId: string): boolean {
  return typeof clientId === 'string' && clientId.length > 0 && clientId.length <= maxClientIdLength;
}

async function findClientRow(context: ServerContext, clientId: string): Promise<ClientRow | undefined> {
  if (!isPlausibleClientId(clientId)) return undefined;
  return clientRowCacheFor(context.ports).read(clientId, () =>
    context.ports.sql.db
      .selectFrom('oidc_client')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirst(),
  );
}

/**
 * Secrets opened once per cached row (every token request looks its client up): a rotated secret
 * or an expired cache entry is a new row object, opened afresh.
 */
const openedSecrets = new WeakMap<ClientRow, string>();

/**
 * The client as oidc-provider reads it through its adapter, with the secret opened: for the provider
 * only, never to be shown or logged. Served from a short in-process cache (see clientCacheTtlMs).
 */
export async function findClientMetadata(
  context: ServerContext,
  clientId: string,
): Promise<ClientMetadata | undefined> {
  const row = await findClientRow(context, clientId);
  if (row === undefined) return undefined;
  // A copy: the cached row must stay as read, whatever the caller does with the result.
  const metadata: ClientMetadata = { ...structuredClone(row.metadata), client_id: row.client_id };
  if (row.secret_sealed !== null) {
    let secret = openedSecrets.get(row);
    if (secret === undefined) {
      secret = openClientSecret(context.masterKey, row.client_id, row.secret_sealed);
      openedSecrets.set(row, secret);
    }
    metadata.client_secret = secret;
  }
  return metadata;
}

/** First-party clients are the company's own apps; false for any other or unknown client. */
export async function isFirstPartyClient(context: ServerContext, clientId: string): Promise<boolean> {
  const row = await findClientRow(context, clientId);
  return row?.first_party === true;
}
