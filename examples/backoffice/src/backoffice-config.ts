import { type AppConfig, loadAppConfig } from '@guichet-examples/relying-party';

/** Everything the back office needs, from environment variables (what `npm run demo` sets). */
export function loadBackofficeConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return loadAppConfig(env, {
    prefix: 'BACKOFFICE',
    defaultPort: 3002,
    defaultAudience: 'https://backoffice.example/api',
  });
}
