import { basicAuthorization } from './basic-authorization.ts';
import { mapConcurrently } from './concurrently.ts';

export interface RefreshChain {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** A refresh token from a sign-in with offline_access and `resource` (the grant keeps the resource). */
  refreshToken: string;
}

/**
 * Mints `count` distinct access tokens from refresh chains: each refresh_token grant is one request
 * (no argon2id, no pages) and gives a new access token of the granted resource, in the same session
 * (same sid). Refresh tokens rotate, so one chain is sequential; chains run side by side.
 */
export async function mintAccessTokens(chains: RefreshChain[], count: number): Promise<string[]> {
  const perChain = Math.ceil(count / chains.length);
  const minted = await mapConcurrently(chains, chains.length, async (chain) => {
    const tokens: string[] = [];
    let refreshToken = chain.refreshToken;
    while (tokens.length < perChain) {
      const response = await fetch(new URL('/token', chain.issuer), {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(chain.clientId, chain.clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`refresh grant answered ${response.status} ${text}`);
      const body = JSON.parse(text) as { access_token: string; refresh_token?: string };
      tokens.push(body.access_token);
      refreshToken = body.refresh_token ?? refreshToken;
    }
    return tokens;
  });
  const all = minted.flat().slice(0, count);
  if (new Set(all).size !== all.length) throw new Error('minted access tokens are not all distinct');
  return all;
}
