import type { GuichetAuthentication } from '@guichet/sdk';

// A WeakMap rather than a request property: no clash with the SDK's own `req.guichet`, nothing
// added to Fastify's request shape, and the entry goes away with the request.
const principals = new WeakMap<object, GuichetAuthentication>();

/** Records who the guard authenticated for this request. */
export function rememberPrincipal(request: object, principal: GuichetAuthentication): void {
  principals.set(request, principal);
}

/**
 * Who `GuichetGuard` authenticated for this request (Express or Fastify request object),
 * or `undefined` on a `@Public()` route or when the guard did not run.
 */
export function getGuichetAuthentication(request: object): GuichetAuthentication | undefined {
  return principals.get(request);
}
