import path from 'node:path';

/** Everything the shop needs, from environment variables (what `npm run demo` sets). */
export interface ShopConfig {
  host: string;
  port: number;
  /** Public base URL of the shop: the redirect URIs registered at Guichet start with it. */
  baseUrl: string;
  issuer: string;
  /** The OIDC client people sign in through. */
  clientId: string;
  clientSecret: string;
  /** The service client the SDK uses to resolve sessions and follow Guichet's events. */
  apiClientId: string;
  apiClientSecret: string;
  /** The shop API's audience: access tokens are issued for it, and the guard accepts only those. */
  audience: string;
  /** PGlite's directory, when no DATABASE_URL is given. */
  dataDir: string;
  databaseUrl: string | undefined;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

export function loadShopConfig(env: NodeJS.ProcessEnv = process.env): ShopConfig {
  const port = Number(env.PORT ?? '3001');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT: expected a port number');
  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    baseUrl: env.SHOP_URL ?? `http://localhost:${port}`,
    issuer: required(env, 'GUICHET_ISSUER'),
    clientId: required(env, 'SHOP_CLIENT_ID'),
    clientSecret: required(env, 'SHOP_CLIENT_SECRET'),
    apiClientId: required(env, 'SHOP_API_CLIENT_ID'),
    apiClientSecret: required(env, 'SHOP_API_CLIENT_SECRET'),
    audience: env.SHOP_AUDIENCE ?? 'https://shop.example/api',
    dataDir: path.resolve(env.SHOP_DATA_DIR ?? 'data-shop'),
    databaseUrl: env.DATABASE_URL === '' ? undefined : env.DATABASE_URL,
  };
}
