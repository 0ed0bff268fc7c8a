import { openShopDatabase } from './shop-database.ts';

// `node prepare-database.ts <data dir>`: creates the shop's embedded database and its table ahead
// of time. PGlite's first start (initdb) takes seconds, so `npm run demo` runs this while Guichet
// starts. This file has no decorators, so Node runs it straight from TypeScript.

const dataDir = process.argv[2];
if (dataDir === undefined) {
  process.stderr.write('usage: prepare-database.ts <data dir>\n');
  process.exit(2);
}
const db = await openShopDatabase({ databaseUrl: undefined, dataDir });
await db.close();
