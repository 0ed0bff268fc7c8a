import path from 'node:path';
import { type AppConfig, loadAppConfig } from '@guichet-examples/relying-party';

/** Everything the shop needs, from environment variables (what `npm run demo` sets). */
export interface ShopConfig extends AppConfig {
  /** PGlite's directory, when no DATABASE_URL is given. */
  dataDir: string;
  databaseUrl: string | undefined;
}

export function loadShopConfig(env: NodeJS.ProcessEnv = process.env): ShopConfig {
  return {
    ...loadAppConfig(env, { prefix: 'SHOP', defaultPort: 3001, defaultAudience: 'https://shop.example/api' }),
    dataDir: path.resolve(env.SHOP_DATA_DIR ?? 'data-shop'),
    databaseUrl: env.DATABASE_URL === '' ? undefined : env.DATABASE_URL,
  };
}
