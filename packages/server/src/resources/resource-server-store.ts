import type { ServerContext } from '../runtime/server-context.ts';
import { maxAudienceLength } from './resource-audience.ts';
import { resourceServerCacheFor } from './resource-server-cache.ts';
import { ResourceServerExistsError } from './resource-server-errors.ts';
import {
  type ResourceServerForToken,
  type ResourceServerRow,
  resourceServerForTokenFromRow,
} from './resource-server-for-token.ts';
import { type ResourceServerInput, validateResourceServerInput } from './resource-server-input.ts';
import { type ResourceServerView, resourceServerView } from './resource-server-view.ts';

/** Anything longer cannot have been registered: answered without a query, so junk costs nothing. */
function isPlausibleAudience(audience: unknown): audience is string {
  return typeof audience === 'string' && audience.length > 0 && audience.length <= maxAudienceLength;
}

/**
 * Registers a resource server. Throws ResourceServerInputError when the input is refused and
 * ResourceServerExistsError when the audience is taken; either way nothing changes.
 */
export async function createResourceServer(
  context: ServerContext,
  input: ResourceServerInput,
): Promise<ResourceServerView> {
  const valid = await validateResourceServerInput(input);
  const row = await context.ports.sql.db
    .insertInto('resource_server')
    .values({
      audience: valid.audience,
      name: valid.name,
      format: valid.format,
      scopes: valid.scopes,
      access_token_ttl: valid.accessTokenTtl,
      encryption_jwk: valid.encryption === undefined ? null : JSON.stringify(valid.encryption.jwk),
      // Explicit nulls: the column defaults only make sense for encrypted tokens.
      encryption_alg: valid.encryption?.alg ?? null,
      encryption_enc: valid.encryption?.enc ?? null,
    })
    .onConflict((conflict) => conflict.column('audience').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw new ResourceServerExistsError(valid.audience);
  // Another instance may still hold a resource server deleted under this audience, if its event was lost.
  await resourceServerCacheFor(context.ports).invalidate(valid.audience);
  return resourceServerView(row);
}

export async function listResourceServers(context: ServerContext): Promise<ResourceServerView[]> {
  const rows = await context.ports.sql.db
    .selectFrom('resource_server')
    .selectAll()
    .orderBy('created_at')
    .orderBy('audience')
    .execute();
  return rows.map(resourceServerView);
}

async function findRow(context: ServerContext, audience: string): Promise<ResourceServerRow | undefined> {
  if (!isPlausibleAudience(audience)) return undefined;
  return context.ports.sql.db
    .selectFrom('resource_server')
    .selectAll()
    .where('audience', '=', audience)
    .executeTakeFirst();
}

/** Straight from SQL: what an administrator looks at must be current. */
export async function getResourceServer(
  context: ServerContext,
  audience: string,
): Promise<ResourceServerView | undefined> {
  const row = await findRow(context, audience);
  return row === undefined ? undefined : resourceServerView(row);
}

/** Returns whether it existed. No new token is issued for it once every instance has heard. */
export async function deleteResourceServer(context: ServerContext, audience: string): Promise<boolean> {
  if (!isPlausibleAudience(audience)) return false;
  const deleted = await context.ports.sql.db
    .deleteFrom('resource_server')
    .where('audience', '=', audience)
    .returning('audience')
    .executeTakeFirst();
  if (deleted === undefined) return false;
  await resourceServerCacheFor(context.ports).invalidate(audience);
  return true;
}

/**
 * What the token issuer needs to shape an access token for `audience`, or undefined for an unknown one.
 * Served from a short in-process cache (see resourceServerCacheTtlMs); the value is frozen.
 */
export async function resourceServerForToken(
  context: ServerContext,
  audience: string,
): Promise<ResourceServerForToken | undefined> {
  if (!isPlausibleAudience(audience)) return undefined;
  return resourceServerCacheFor(context.ports).read(audience, async () => {
    const row = await findRow(context, audience);
    return row === undefined ? undefined : resourceServerForTokenFromRow(row);
  });
}
