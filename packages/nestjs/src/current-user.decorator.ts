import type { GuichetAuthentication } from '@guichet/sdk';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { getGuichetAuthentication } from './principal-store.ts';

/**
 * Injects who the guard authenticated: `{ sub, sid, businessId, roles, scopes, token }`, or one
 * field of it with `@CurrentUser('sub')`. `undefined` on `@Public()` routes.
 */
export const CurrentUser = createParamDecorator(
  (field: keyof GuichetAuthentication | undefined, context: ExecutionContext): unknown => {
    const principal = getGuichetAuthentication(context.switchToHttp().getRequest<object>());
    if (principal === undefined || field === undefined) return principal;
    return principal[field];
  },
);
