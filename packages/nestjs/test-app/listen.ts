import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

export type AdapterName = 'express' | 'fastify';

/** Creates the app on one adapter and listens on a free loopback port; resolves with its URL. */
export async function listenOnLoopback(
  module: Type<unknown> | DynamicModule,
  adapter: AdapterName,
): Promise<{ app: INestApplication; url: string }> {
  const app: INestApplication =
    adapter === 'express'
      ? await NestFactory.create(module, new ExpressAdapter(), { logger: ['error'] })
      : await NestFactory.create(module, new FastifyAdapter(), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
