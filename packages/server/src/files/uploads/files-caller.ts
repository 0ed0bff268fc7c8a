import type { ProviderHolder } from '../../oidc/provider-holder.ts';
import type { ServerContext } from '../../runtime/server-context.ts';
import { type CallerRefusal, isRefusal, resolveSessionCaller } from '../../sessions/session-caller.ts';

/** Who calls the files API, and the business their session works in: never taken from the request. */
export interface FilesCaller {
  sub: string;
  businessId: string;
}

/** Files belong to a business: the caller's session must have an active one. */
export async function resolveFilesCaller(
  holder: ProviderHolder,
  context: ServerContext,
  authorization: string | undefined,
): Promise<FilesCaller | CallerRefusal> {
  const caller = await resolveSessionCaller(holder, context, authorization);
  if (isRefusal(caller)) return caller;
  if (caller.businessId === null)
    return { status: 403, detail: 'the session has no active business: choose one first' };
  return { sub: caller.sub, businessId: caller.businessId };
}
