/**
 * What every example app reads from its environment (what `npm run demo` sets): the same settings,
 * each app under its own prefix (`SHOP_CLIENT_ID`, `BACKOFFICE_CLIENT_ID`, ...).
 */
export interface AppConfig {
  host: string;
  port: number;
  /** Public base URL of the app: the redirect URIs registered at Guichet start with it. */
  baseUrl: string;
  issuer: string;
  /** The OIDC client people sign in through. */
  clientId: string;
  clientSecret: string;
  /** The service client the SDK uses to resolve sessions and follow Guichet's events. */
  apiClientId: string;
  apiClientSecret: string;
  /** The app API's audience: access tokens are issued for it, and the app accepts only those. */
  audience: string;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

export function loadAppConfig(
  env: NodeJS.ProcessEnv,
  app: { prefix: string; defaultPort: number; defaultAudience: string },
): AppConfig {
  const port = Number(env.PORT ?? String(app.defaultPort));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT: expected a port number');
  const { prefix } = app;
  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    baseUrl: env[`${prefix}_URL`] ?? `http://localhost:${port}`,
    issuer: required(env, 'GUICHET_ISSUER'),
    clientId: required(env, `${prefix}_CLIENT_ID`),
    clientSecret: required(env, `${prefix}_CLIENT_SECRET`),
    apiClientId: required(env, `${prefix}_API_CLIENT_ID`),
    apiClientSecret: required(env, `${prefix}_API_CLIENT_SECRET`),
    audience: env[`${prefix}_AUDIENCE`] ?? app.defaultAudience,
  };
}
