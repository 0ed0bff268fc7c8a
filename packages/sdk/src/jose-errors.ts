import { errors } from 'jose';
import { ExpiredTokenError, GuichetAuthError, InvalidTokenError } from './errors.ts';

/** Fixed descriptions: the caller learns what is wrong without the SDK echoing its input. */
function describe(error: errors.JOSEError): string {
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the access token is not valid yet';
    if (error.claim === 'aud') return 'the access token is not meant for this resource server';
    if (error.claim === 'iss') return 'the access token comes from another issuer';
    if (error.claim === 'typ') return 'the token is not an access token';
    return 'the access token has an invalid claim';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the access token algorithm is not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the access token signature is invalid';
  if (error instanceof errors.JWEDecryptionFailed) return 'the access token cannot be decrypted';
  return 'the access token is malformed';
}

/**
 * Whatever verifying a token threw, as the GuichetAuthError to answer with. Errors that are not jose's
 * (a TypeError deep in a parser fed garbage) are bad input too: never a crash, never a 500.
 */
export function asTokenError(error: unknown): GuichetAuthError {
  if (error instanceof GuichetAuthError) return error;
  if (error instanceof errors.JWTExpired) return new ExpiredTokenError({ cause: error });
  if (error instanceof errors.JOSEError) return new InvalidTokenError(describe(error), { cause: error });
  return new InvalidTokenError('the access token is malformed', { cause: error });
}
