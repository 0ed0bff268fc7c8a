import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from './app-module.ts';

export type AdapterName = 'express' | 'fastify';
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
  const module = await rootModule(name);
  const app: INestApplication =
    adapter === 'express'
      ? await NestFactory.create(module, new ExpressAdapter(), { logger: ['error'] })
      : await NestFactory.create(module, new FastifyAdapter(), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { url, close: () => app.close() };
}
