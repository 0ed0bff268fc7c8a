import type { RelyingParty } from '@guichet-examples/relying-party';
import type { NextFunction, Request, Response } from 'express';

/**
 * The bridge between the browser's session cookie and the API's bearer tokens: the access token
 * stays in the server-side session, and for each request of a signed-in person this middleware
 * hands it to the Guichet guard as an `Authorization` header. The guard, `@CurrentUser()`,
 * `@CurrentBusiness()` and `StagedFiles` then work exactly as for any API client.
 */
export function sessionTokens(relyingParty: RelyingParty) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    const session = relyingParty.signedInOf(request.headers.cookie);
    if (session?.signedIn !== undefined)
      request.headers.authorization = `Bearer ${session.signedIn.accessToken}`;
    next();
  };
}
