import { fileURLToPath } from 'node:url';

/** Where the demo finds the programs it runs, relative to this file so any working directory works. */
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const guichetBin = fileURLToPath(new URL('../../../packages/server/bin/guichet.js', import.meta.url));
export const shopMain = fileURLToPath(new URL('../../shop/.build/main.js', import.meta.url));
export const shopDatabasePreparer = fileURLToPath(
  new URL('../../shop/src/database/prepare-database.ts', import.meta.url),
);
export const shopTsconfig = fileURLToPath(new URL('../../shop/tsconfig.json', import.meta.url));
export const backofficeMain = fileURLToPath(new URL('../../backoffice/src/main.ts', import.meta.url));
export const typescriptCompiler = fileURLToPath(
  new URL('../../../node_modules/typescript/bin/tsc', import.meta.url),
);
