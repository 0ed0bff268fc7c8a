import { callSessionApi } from './session-api.ts';

/** A business the signed-in person belongs to, with their roles in it. */
export interface SessionBusiness {
  id: string;
  name: string;
  slug: string;
  roles: string[];
}

/** Who is signed in, by name, their businesses and the session's active one. */
export interface SessionBusinesses {
  sub: string;
  name: string;
  activeBusinessId: string | null;
  businesses: SessionBusiness[];
}

/** A member of the session's active business. */
export interface BusinessMember {
  accountId: string;
  name: string;
  email: string;
  roles: string[];
}

/**
 * Names for the ids that tokens and the session context carry: the person's own name and their
 * businesses, read with their access token. Not cached: the answer is the person's alone, and a
 * page must show a switch or a new membership at once.
 */
export function sessionBusinesses(issuer: string, accessToken: string): Promise<SessionBusinesses> {
  return callSessionApi<SessionBusinesses>(issuer, '/session/businesses', accessToken);
}

/**
 * The members of the session's active business, with the person's access token. Guichet answers
 * only owners and admins of that business: others get a SessionApiError with status 403.
 */
export function businessMembers(
  issuer: string,
  accessToken: string,
): Promise<{ businessId: string; members: BusinessMember[] }> {
  return callSessionApi(issuer, '/session/business/members', accessToken);
}
