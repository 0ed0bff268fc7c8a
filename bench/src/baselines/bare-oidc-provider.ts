// Baseline for the token scenarios: a bare oidc-provider (the workspace's version) with an in-memory
// adapter (MapAdapter: its own default is a 1,000-entry LRU that a refresh load evicts), static clients, an ES256 key and Guichet's token lifetimes. Nothing of Guichet
// runs here but those lifetimes, so the ratio measures what Guichet adds around the same library.
//
// Environment: PORT (the provider), MINT_PORT (a second, private listener that mints refresh tokens
// for the refresh scenario), BARE_OIDC_CLIENTS (JSON array of client metadata).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type ClientMetadata } from 'oidc-provider';
import { tokenLifetimes } from '../../../packages/server/src/oidc/token-lifetimes.ts';
import { MapAdapter } from './map-adapter.ts';

const port = Number(process.env.PORT);
const mintPort = Number(process.env.MINT_PORT);
const clients = JSON.parse(process.env.BARE_OIDC_CLIENTS ?? '[]') as ClientMetadata[];
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomUUID()] },
  // The same account shape Guichet's findAccount returns, from memory.
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@bench.example`, email_verified: true, name: 'Bench User' }),
  }),
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
  clientDefaults: {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
  },
  // Guichet rotates every refresh token; the library's default only rotates some.
  rotateRefreshToken: true,
  ttl: { ...tokenLifetimes },
});

http.createServer(provider.callback()).listen(port, '127.0.0.1');

/**
 * What Guichet's code exchange leaves behind after a sign-in with offline_access: a Grant holding the
 * scopes and a refresh token bound to it, not to the session. Minted here so that the baseline needs
 * no sign-in pages; the refresh grant under test reads exactly these fields.
 */
async function mintRefreshToken(clientId: string, scope: string): Promise<string> {
  const client = await provider.Client.find(clientId);
  if (client === undefined) throw new Error(`unknown client ${clientId}`);
  const accountId = randomUUID();
  const grant = new provider.Grant({ accountId, clientId });
  grant.addOIDCScope(scope);
  const grantId = await grant.save();
  const refreshToken = new provider.RefreshToken({
    accountId,
    client,
    grantId,
    gty: 'authorization_code',
    scope,
    amr: ['pwd'],
    authTime: Math.floor(Date.now() / 1000),
    sid: randomUUID(),
    sessionUid: randomUUID(),
    expiresWithSession: false,
    rotations: 0,
  });
  return refreshToken.save();
}

const mint = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as {
      clientId?: string;
      scope?: string;
      count?: number;
    };
    Promise.all(
      Array.from({ length: body.count ?? 0 }, () =>
        mintRefreshToken(String(body.clientId), String(body.scope ?? 'openid')),
      ),
    ).then(
      (refreshTokens) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ refreshTokens }));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      },
    );
  });
});
mint.listen(mintPort, '127.0.0.1');

process.once('SIGTERM', () => process.exit(0));
