import { type FilesClient, type Guichet, GuichetModule } from '@guichet/nestjs';
import { createGuichet, type StageBody, type StageOptions } from '@guichet/sdk';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ProductsController } from './products-controller.ts';

export interface FilesAppSettings {
  issuer: string;
  audience: string;
  clientId: string;
  clientSecret: string;
}

export interface RunningFilesApp {
  url: string;
  /** Every upload id Guichet created for this app, failed ones included: what the tests check is gone. */
  uploadIds(): string[];
  close(): Promise<void>;
}

/**
 * The real SDK, with a log of the upload ids Guichet answers: the tests then ask Guichet whether
 * each still exists. Only `stage` is wrapped, and it still talks to the real server.
 */
function recordingGuichet(settings: FilesAppSettings, uploadIds: string[]): Guichet {
  const guichet = createGuichet({ ...settings, events: 'none' });
  const files = (accessToken: string): FilesClient => {
    const client = guichet.files(accessToken);
    return {
      ...client,
      stage(body: StageBody, options: StageOptions) {
        return client.stage(body, {
          ...options,
          onCreated(id) {
            uploadIds.push(id);
            options.onCreated?.(id);
          },
        });
      },
    };
  };
  return { ...guichet, files };
}

@Module({})
class FilesAppModule {
  static register(client: Guichet): DynamicModule {
    return {
      module: FilesAppModule,
      imports: [GuichetModule.forRoot({ client })],
      controllers: [ProductsController],
    };
  }
}

/** Starts the products app on one adapter, on a free loopback port. */
export async function startFilesApp(
  adapter: 'express' | 'fastify',
  settings: FilesAppSettings,
): Promise<RunningFilesApp> {
  const uploadIds: string[] = [];
  const guichet = recordingGuichet(settings, uploadIds);
  const module = FilesAppModule.register(guichet);
  const app: INestApplication =
    adapter === 'express'
      ? await NestFactory.create(module, new ExpressAdapter(), { logger: ['error'] })
      : await NestFactory.create(module, new FastifyAdapter(), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    url,
    uploadIds: () => [...uploadIds],
    async close() {
      await app.close();
      await guichet.close();
    },
  };
}
