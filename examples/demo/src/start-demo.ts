import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type AppProcess, startProcess, waitForHttp } from './app-process.ts';
import { backofficeAudience, shopAudience } from './demo-company.ts';
import { backofficeMain, guichetBin, shopMain } from './repository-paths.ts';
import { type SeededDemo, seedDemo } from './seed-demo.ts';

export interface DemoOptions {
  /** Root of the demo's data: Guichet's data dir, the shop's database and the demo state live under it. */
  dataDir: string;
  /** The host name in every URL; everything listens on 127.0.0.1. */
  host: string;
  ports: { guichet: number; shop: number; backoffice: number };
  /** Print the processes' output with a prefix (npm run demo does). */
  echo?: boolean;
  /** More environment for Guichet, e.g. DATABASE_URL (the tests read its stored_file rows). */
  guichetEnv?: Record<string, string>;
  /** PostgreSQL for the shop's own table instead of PGlite in its data dir. */
  shopDatabaseUrl?: string;
  /**
   * Resolves once the shop is built and its database created: the shop starts only then (npm run
   * demo does both while Guichet starts).
   */
  shopReady?: Promise<void>;
}

export interface RunningDemo {
  urls: { guichet: string; shop: string; backoffice: string };
  seeded: SeededDemo;
  processes: AppProcess[];
  guichetDataDir: string;
  /** Milliseconds from the call until each step was done. */
  timings: { guichet: number; seeded: number };
  output(): string;
  stop(): Promise<void>;
}

const startTimeoutMs = 60_000;

/** Starts Guichet on embedded defaults, seeds it, then starts the shop and the back office. */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const { host, ports, echo = false } = options;
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const urls = {
    guichet: `http://${host}:${ports.guichet}`,
    shop: `http://${host}:${ports.shop}`,
    backoffice: `http://${host}:${ports.backoffice}`,
  };
  const guichetDataDir = path.join(options.dataDir, 'guichet');
  const shopDataDir = path.join(options.dataDir, 'shop');
  await mkdir(guichetDataDir, { recursive: true });
  await mkdir(shopDataDir, { recursive: true });

  const processes: AppProcess[] = [];
  const stop = async () => {
    // The apps first, so they never see Guichet vanish under them; then Guichet.
    await Promise.all(processes.filter((app) => app.name !== 'guichet').map((app) => app.stop()));
    await Promise.all(processes.filter((app) => app.name === 'guichet').map((app) => app.stop()));
  };
  try {
    const guichet = startProcess(
      'guichet',
      [guichetBin, 'start'],
      {
        PORT: String(ports.guichet),
        HOST: '127.0.0.1',
        GUICHET_ISSUER: urls.guichet,
        GUICHET_DATA_DIR: guichetDataDir,
        GUICHET_LOG_LEVEL: 'warn',
        GUICHET_BRAND_NAME: 'Northwind Group',
        ...options.guichetEnv,
      },
      { echo },
    );
    processes.push(guichet);
    await waitForHttp(guichet, `${urls.guichet}/readyz`, startTimeoutMs);
    const guichetTime = since();

    const seeded = await seedDemo({
      issuer: urls.guichet,
      guichetDataDir,
      stateDir: options.dataDir,
      urls: { shop: urls.shop, backoffice: urls.backoffice },
    });
    const seededTime = since();
    const common = {
      HOST: '127.0.0.1',
      GUICHET_ISSUER: urls.guichet,
    };

    const backoffice = startProcess(
      'backoffice',
      [backofficeMain],
      {
        ...common,
        PORT: String(ports.backoffice),
        BACKOFFICE_URL: urls.backoffice,
        BACKOFFICE_CLIENT_ID: seeded.clients.backoffice.id,
        BACKOFFICE_CLIENT_SECRET: seeded.clients.backoffice.secret,
        BACKOFFICE_API_CLIENT_ID: seeded.clients.backofficeApi.id,
        BACKOFFICE_API_CLIENT_SECRET: seeded.clients.backofficeApi.secret,
        BACKOFFICE_AUDIENCE: backofficeAudience,
      },
      { echo },
    );
    processes.push(backoffice);

    await options.shopReady;
    const shop = startProcess(
      'shop',
      [shopMain],
      {
        ...common,
        PORT: String(ports.shop),
        SHOP_URL: urls.shop,
        SHOP_DATA_DIR: shopDataDir,
        SHOP_CLIENT_ID: seeded.clients.shop.id,
        SHOP_CLIENT_SECRET: seeded.clients.shop.secret,
        SHOP_API_CLIENT_ID: seeded.clients.shopApi.id,
        SHOP_API_CLIENT_SECRET: seeded.clients.shopApi.secret,
        SHOP_AUDIENCE: shopAudience,
        ...(options.shopDatabaseUrl === undefined ? {} : { DATABASE_URL: options.shopDatabaseUrl }),
      },
      { echo },
    );
    processes.push(shop);

    await Promise.all([
      waitForHttp(backoffice, `${urls.backoffice}/styles.css`, startTimeoutMs),
      waitForHttp(shop, `${urls.shop}/healthz`, startTimeoutMs),
    ]);
    return {
      urls,
      seeded,
      processes,
      guichetDataDir,
      timings: { guichet: guichetTime, seeded: seededTime },
      output: () => processes.map((app) => `--- ${app.name}\n${app.output()}`).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
