/**
 * A key's life: `active` signs new tokens (one per algorithm), `previous` no longer signs but stays in
 * the JWKS until every token it signed has expired, `retired` is never published again.
 */
export const signingKeyStates = ['active', 'previous', 'retired'] as const;

export type SigningKeyState = (typeof signingKeyStates)[number];
