import { ClientInputError } from '../clients/client-errors.ts';
import { checkClientUri, maxClientUriLength } from '../clients/client-uri-rules.ts';
import { ResourceServerInputError } from './resource-server-errors.ts';

export const maxAudienceLength = maxClientUriLength;

/**
 * Checks an audience: the resource indicator clients send (RFC 8707), an absolute URI without fragment,
 * matched exactly. Tokens are sent there, so the rules are those of any URI Guichet sends tokens to:
 * https, or http on a loopback host, no wildcard. Returns it unchanged: normalising would break matching.
 */
export function checkAudience(value: unknown): string {
  if (typeof value !== 'string') throw new ResourceServerInputError('audience must be a string (a URI)');
  try {
    checkClientUri('audience', value);
  } catch (error) {
    if (error instanceof ClientInputError) throw new ResourceServerInputError(error.message);
    throw error;
  }
  return value;
}
