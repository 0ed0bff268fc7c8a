import type { Account } from './account-store.ts';

/** Standard OpenID Connect claims of an account, for oidc-provider's findAccount().claims(). */
export interface AccountClaims {
  sub: string;
  email: string;
  /** No confirmation mail exists yet, so no address is vouched for. */
  email_verified: false;
  name: string;
}

export function accountClaims(account: Account): AccountClaims {
  return { sub: account.id, email: account.email, email_verified: false, name: account.name };
}
