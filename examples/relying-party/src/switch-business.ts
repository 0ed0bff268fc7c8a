import { callSessionApi } from './session-api.ts';

/**
 * Makes another business the active one of the person's Guichet session, with their own access
 * token. Guichet checks the membership (a SessionApiError with status 403 otherwise); every app of
 * the session sees the switch at once.
 */
export async function switchBusiness(
  issuer: string,
  accessToken: string,
  businessId: string,
): Promise<{ businessId: string; roles: string[] }> {
  const body = await callSessionApi<{ business_id?: string; roles?: string[] }>(
    issuer,
    '/session/business',
    accessToken,
    { business_id: businessId },
  );
  return { businessId: body.business_id ?? businessId, roles: body.roles ?? [] };
}
