import { ResourceServerInputError } from './resource-server-errors.ts';

/** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), bounded here in length. */
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

export const maxResourceScopes = 100;

/** The scopes a resource server accepts, checked and without duplicates, in the order given. */
export function checkResourceScopes(scopes: unknown): string[] {
  if (scopes === undefined) return [];
  if (!Array.isArray(scopes)) throw new ResourceServerInputError('scopes must be a list of scope names');
  if (scopes.length > maxResourceScopes) {
    throw new ResourceServerInputError(`at most ${maxResourceScopes} scopes`);
  }
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !scopeToken.test(scope)) {
      throw new ResourceServerInputError(
        `scope ${JSON.stringify(scope)} is not a valid scope: 1 to 128 printable ASCII characters, without space, " or \\ (RFC 6749)`,
      );
    }
  }
  return [...new Set(scopes as string[])];
}
