import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { getGuichetAuthentication } from './principal-store.ts';
import { noActiveBusiness, notAuthenticated, refuse } from './refusals.ts';

/** The business the person is working in, from their session (never from request input). */
export interface GuichetBusiness {
  id: string;
  /** The person's roles in this business. */
  roles: readonly string[];
}

/** Options of `@CurrentBusiness()`. */
export interface CurrentBusinessOptions {
  /** Inject `null` instead of refusing with 403 when the session has no active business. */
  optional?: boolean;
}

/**
 * Injects the active business `{ id, roles }`. A request whose session has none is refused with
 * 403 `no_active_business` (401 when nobody is authenticated, as on a `@Public()` route), so a
 * handler never runs without one, unless `{ optional: true }` asks for `null` instead.
 */
export const CurrentBusiness = createParamDecorator(
  (options: CurrentBusinessOptions | undefined, context: ExecutionContext): GuichetBusiness | null => {
    const http = context.switchToHttp();
    const principal = getGuichetAuthentication(http.getRequest<object>());
    if (principal !== undefined && typeof principal.businessId === 'string') {
      return { id: principal.businessId, roles: principal.roles };
    }
    if (options?.optional === true) return null;
    throw refuse(http.getResponse(), principal === undefined ? notAuthenticated() : noActiveBusiness());
  },
);
