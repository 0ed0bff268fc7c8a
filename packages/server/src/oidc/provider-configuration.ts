import type { Configuration, JWKS, KoaContextWithOIDC } from 'oidc-provider';
import type { CookieSigner } from './cookie-signer.ts';
import { tokenLifetimes } from './token-lifetimes.ts';

export interface ProviderPolicyHooks {
  adapter: NonNullable<Configuration['adapter']>;
  findAccount: NonNullable<Configuration['findAccount']>;
  loadExistingGrant: NonNullable<Configuration['loadExistingGrant']>;
  pairwiseIdentifier: NonNullable<Configuration['pairwiseIdentifier']>;
  renderError: NonNullable<Configuration['renderError']>;
  logoutSource: (ctx: KoaContextWithOIDC, form: string) => Promise<void>;
  postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => Promise<void>;
  resourceIndicators: NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;
  extraTokenClaims: NonNullable<Configuration['extraTokenClaims']>;
  accessTokenCustomizer: NonNullable<
    NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt']
  >;
  interactionPolicy: NonNullable<NonNullable<Configuration['interactions']>['policy']>;
  jwks: JWKS;
  cookieKeys: CookieSigner;
  secureCookies: boolean;
}

/**
 * oidc-provider sets a `dispatcher` that refuses private, loopback and other special-use addresses
 * (an SSRF guard). The only URL it fetches here is a client's back-channel logout URI, which only the
 * operator registers (dynamic registration is off), and apps usually listen on exactly such addresses.
 */
function withoutSsrfGuard(init: RequestInit | undefined): RequestInit | undefined {
  if (init === undefined) return undefined;
  const copy: RequestInit & { dispatcher?: unknown } = { ...init };
  delete copy.dispatcher;
  return copy;
}

/**
 * Guichet's OAuth policy, after RFC 9700: authorization code only, PKCE S256 for every client,
 * exact redirect URIs, rotating refresh tokens, `iss` in authorization responses (oidc-provider
 * always sends it), client credentials for services, pairwise subjects on request, back-channel logout.
 */
export function providerConfiguration(hooks: ProviderPolicyHooks): Configuration {
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: hooks.secureCookies, signed: true };
  return {
    adapter: hooks.adapter,
    findAccount: hooks.findAccount,
    jwks: hooks.jwks,
    cookies: { keys: hooks.cookieKeys, long: cookie, short: cookie },
    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    subjectTypes: ['public', 'pairwise'],
    // Scope claims may go in the ID token: findAccount gives readable ID tokens nothing but `sub`, so
    // only clients that registered an encryption key receive profile claims there.
    conformIdTokenClaims: false,
    pairwiseIdentifier: hooks.pairwiseIdentifier,
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'EdDSA', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'EdDSA', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'EdDSA', 'RS256'],
      authorizationSigningAlgValues: ['ES256', 'EdDSA', 'RS256'],
      idTokenEncryptionAlgValues: ['ECDH-ES+A256KW', 'ECDH-ES+A128KW', 'ECDH-ES', 'RSA-OAEP-256'],
      idTokenEncryptionEncValues: ['A256GCM', 'A128GCM'],
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      // ID tokens are encrypted for clients that registered a key (they may then carry profile claims).
      encryption: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: hooks.logoutSource,
        postLogoutSuccessSource: hooks.postLogoutSuccessSource,
      },
      // One way in: the authorization endpoint. Fewer endpoints, fewer things to get wrong.
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: hooks.resourceIndicators,
    },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    loadExistingGrant: hooks.loadExistingGrant,
    ttl: { ...tokenLifetimes },
    fetch: (url, init) => globalThis.fetch(url, withoutSsrfGuard(init)),
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: hooks.interactionPolicy,
    },
    extraTokenClaims: hooks.extraTokenClaims,
    formats: { customizers: { jwt: hooks.accessTokenCustomizer } },
    renderError: hooks.renderError,
    allowOmittingSingleRegisteredRedirectUri: false,
    discovery: { service_documentation: undefined },
  };
}
