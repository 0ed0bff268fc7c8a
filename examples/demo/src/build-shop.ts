import { startProcess } from './app-process.ts';
import { shopDatabasePreparer, shopTsconfig, typescriptCompiler } from './repository-paths.ts';

/**
 * Compiles the shop with tsc: NestJS code is written with decorators, which Node's type stripping
 * cannot run. Incremental, so a second run takes a moment.
 */
export async function buildShop(): Promise<void> {
  const tsc = startProcess('tsc', [typescriptCompiler, '-p', shopTsconfig], {});
  const code = await tsc.exited;
  if (code !== 0) throw new Error(`building the shop failed (${code}):\n${tsc.output()}`);
}

/** Creates the shop's embedded database ahead of time (PGlite's initdb takes seconds). */
export async function prepareShopDatabase(shopDataDir: string): Promise<void> {
  const prepare = startProcess('shop-database', [shopDatabasePreparer, shopDataDir], {});
  const code = await prepare.exited;
  if (code !== 0) throw new Error(`preparing the shop's database failed (${code}):\n${prepare.output()}`);
}
