import type { Type } from '@nestjs/common';
import { AppModule } from './app-module.ts';
import { type AdapterName, listenOnLoopback } from './listen.ts';

export type AppName = 'async-module' | 'guarded-routes';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

async function rootModule(name: AppName): Promise<Type<unknown>> {
  if (name === 'async-module') return AppModule;
  // Loaded on demand: its forRoot options are read from the environment when the file runs.
  const { GuardedRoutesModule } = await import('./guarded-routes-module.ts');
  return GuardedRoutesModule;
}

/** Starts one of the apps on one adapter, on a free loopback port. */
export async function startApp(adapter: AdapterName, name: AppName): Promise<RunningApp> {
  const { app, url } = await listenOnLoopback(await rootModule(name), adapter);
  return { url, close: () => app.close() };
}
