/** How an access token is carried, named as the server's `--format` names it. */
export type AccessTokenFormat = 'jwt' | 'jwe' | 'opaque';

/**
 * A compact JWS has 3 dot-separated parts and a compact JWE 5; anything else is an opaque handle that
 * only Guichet can resolve.
 */
export function accessTokenFormat(token: string): AccessTokenFormat {
  let dots = 0;
  for (let index = token.indexOf('.'); index !== -1; index = token.indexOf('.', index + 1)) dots += 1;
  if (dots === 2) return 'jwt';
  if (dots === 4) return 'jwe';
  return 'opaque';
}

/** Opaque handles are short (Guichet's are 43 characters); anything much longer is not one. */
export const maxOpaqueTokenLength = 1024;
