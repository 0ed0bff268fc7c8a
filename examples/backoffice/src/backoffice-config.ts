/** Everything the back office needs, from environment variables (what `npm run demo` sets). */
export interface BackofficeConfig {
  host: string;
  port: number;
  /** Public base URL of this app: the redirect URIs registered at Guichet start with it. */
  baseUrl: string;
  issuer: string;
  /** The OIDC client people sign in through. */
  clientId: string;
  clientSecret: string;
  /** The service client the SDK uses to resolve sessions and follow Guichet's events. */
  apiClientId: string;
  apiClientSecret: string;
  /** The resource server the back office's access tokens are issued for. */
  audience: string;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

export function loadBackofficeConfig(env: NodeJS.ProcessEnv = process.env): BackofficeConfig {
  const port = Number(env.PORT ?? '3002');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT: expected a port number');
  const host = env.HOST ?? '127.0.0.1';
  return {
    host,
    port,
    baseUrl: env.BACKOFFICE_URL ?? `http://localhost:${port}`,
    issuer: required(env, 'GUICHET_ISSUER'),
    clientId: required(env, 'BACKOFFICE_CLIENT_ID'),
    clientSecret: required(env, 'BACKOFFICE_CLIENT_SECRET'),
    apiClientId: required(env, 'BACKOFFICE_API_CLIENT_ID'),
    apiClientSecret: required(env, 'BACKOFFICE_API_CLIENT_SECRET'),
    audience: env.BACKOFFICE_AUDIENCE ?? 'https://backoffice.example/api',
  };
}
