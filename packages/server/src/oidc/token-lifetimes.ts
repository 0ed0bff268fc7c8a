/** Lifetimes in seconds. Short access tokens and codes (RFC 9700), long refresh tokens that rotate. */
export const tokenLifetimes = {
  AccessToken: 10 * 60,
  AuthorizationCode: 60,
  ClientCredentials: 10 * 60,
  IdToken: 60 * 60,
  Interaction: 15 * 60,
  RefreshToken: 14 * 24 * 60 * 60,
  Session: 14 * 24 * 60 * 60,
  Grant: 14 * 24 * 60 * 60,
} as const;

/** The longest a token signed with a key stays valid: how long a rotated-out key must stay published. */
export const longestSignedTokenLifetime = Math.max(
  tokenLifetimes.AccessToken,
  tokenLifetimes.IdToken,
  tokenLifetimes.ClientCredentials,
);
