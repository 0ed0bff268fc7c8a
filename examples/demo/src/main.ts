import path from 'node:path';
import { buildShop, prepareShopDatabase } from './build-shop.ts';
import { repositoryRoot } from './repository-paths.ts';
import { startDemo } from './start-demo.ts';

// npm run demo: Guichet, the shop and the back office on this machine, seeded, in one command.

function port(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    process.stderr.write(`${name}: expected a port number\n`);
    process.exit(1);
  }
  return value;
}

const started = performance.now();
const dataDir = path.resolve(repositoryRoot, process.env.DEMO_DATA_DIR ?? 'data-demo');
const ports = {
  guichet: port('DEMO_GUICHET_PORT', 3000),
  shop: port('DEMO_SHOP_PORT', 3001),
  backoffice: port('DEMO_BACKOFFICE_PORT', 3002),
};

process.stdout.write(`Starting the demo (data in ${path.relative(process.cwd(), dataDir) || '.'})...\n`);
// The shop compiles and its database is created while Guichet starts: the slow steps overlap.
const shopReady = Promise.all([buildShop(), prepareShopDatabase(path.join(dataDir, 'shop'))]).then(
  () => undefined,
);
shopReady.catch(() => undefined);

let demo: Awaited<ReturnType<typeof startDemo>>;
try {
  demo = await startDemo({ dataDir, host: 'localhost', ports, echo: true, shopReady });
} catch (error) {
  process.stderr.write(`The demo did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const width = Math.max(...demo.seeded.people.map((person) => person.email.length));
const roles = (person: (typeof demo.seeded.people)[number]) =>
  Object.entries(person.roles)
    .map(([business, list]) => `${list.join('+')} at ${business}`)
    .join(', ');
process.stdout.write(`
Guichet demo is up in ${seconds} s (Guichet ready at ${demo.timings.guichet} ms, seeded at ${demo.timings.seeded} ms).

  Shop          ${demo.urls.shop}
  Back office   ${demo.urls.backoffice}
  Guichet       ${demo.urls.guichet}   (admin token in ${path.relative(process.cwd(), demo.guichetDataDir)}/admin.token)

Sign in as (demo passwords, generated on the first run):
${demo.seeded.people.map((person) => `  ${person.email.padEnd(width)}  ${person.password}   ${roles(person)}`).join('\n')}

Press Ctrl-C to stop.
`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping...\n');
  await demo.stop();
  process.stdout.write('Stopped.\n');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

// One of the processes dying ends the demo: half a demo only confuses.
for (const app of demo.processes) {
  void app.exited.then((code) => {
    if (stopping) return;
    process.stderr.write(`${app.name} exited (${code}); stopping the demo.\n`);
    void shutdown();
  });
}
