import type { ProviderHolder } from '../../oidc/provider-holder.ts';
import type { ServerContext } from '../../runtime/server-context.ts';
import { accessTokenSubject } from '../../sessions/access-token-subject.ts';
import { resolveContext } from '../../sessions/session-context-store.ts';

/** Who calls the files API, and the business their session works in: never taken from the request. */
export interface FilesCaller {
  sub: string;
  businessId: string;
}

export type CallerRefusal = { status: 401; detail: string } | { status: 403; detail: string };

const bearer = /^Bearer ([\x21-\x7e]+)$/;

/**
 * Resolves the bearer access token to its session's active business. A service token (client
 * credentials) has no session and therefore no business: it may not touch files.
 */
export async function resolveFilesCaller(
  holder: ProviderHolder,
  context: ServerContext,
  authorization: string | undefined,
): Promise<FilesCaller | CallerRefusal> {
  const token = bearer.exec(authorization ?? '')?.[1];
  const subject = token === undefined ? undefined : await accessTokenSubject(holder, context, token);
  if (subject === undefined) return { status: 401, detail: 'a valid access token is required' };
  if (subject.sid === undefined)
    return { status: 403, detail: 'files belong to a business: use a token of a signed-in person' };
  const resolved = await resolveContext(context.ports, subject.sid);
  if (!resolved.active) return { status: 401, detail: 'the session of this token has ended' };
  if (resolved.business_id === null)
    return { status: 403, detail: 'the session has no active business: choose one first' };
  return { sub: resolved.sub, businessId: resolved.business_id };
}
