import { timingSafeEqual } from 'node:crypto';
import type { ServerContext } from '../runtime/server-context.ts';
import { findClientMetadata } from './client-store.ts';

/** Reads RFC 6749 2.3.1 Basic credentials: both parts are form-urlencoded before base64. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
    };
  } catch {
    return undefined;
  }
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Authenticates a resource server calling Guichet's own APIs (context, events) with the client
 * credentials of its service client. Returns the client id, or undefined for anything else.
 */
export async function authenticateServiceClient(
  context: ServerContext,
  authorization: string | undefined,
): Promise<string | undefined> {
  const credentials = basicCredentials(authorization);
  if (credentials === undefined || credentials.id.length > 128) return undefined;
  const metadata = await findClientMetadata(context, credentials.id);
  const secret = metadata?.client_secret;
  if (typeof secret !== 'string' || !sameSecret(secret, credentials.secret)) return undefined;
  const grants = metadata?.grant_types ?? [];
  return grants.includes('client_credentials') ? credentials.id : undefined;
}
