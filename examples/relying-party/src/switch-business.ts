export class BusinessSwitchError extends Error {
  readonly status: number;
  constructor(status: number, detail: string) {
    super(detail);
    this.name = 'BusinessSwitchError';
    this.status = status;
  }
}

/**
 * Makes another business the active one of the person's Guichet session, with their own access
 * token. Guichet checks the membership; every app of the session sees the switch at once.
 */
export async function switchBusiness(
  issuer: string,
  accessToken: string,
  businessId: string,
): Promise<{ businessId: string; roles: string[] }> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/session/business`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ business_id: businessId }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json().catch(() => ({}))) as {
    business_id?: string;
    roles?: string[];
    detail?: string;
  };
  if (!response.ok)
    throw new BusinessSwitchError(response.status, body.detail ?? `Guichet answered ${response.status}`);
  return { businessId: body.business_id ?? businessId, roles: body.roles ?? [] };
}
