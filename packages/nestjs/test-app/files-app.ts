import { type FilesClient, type Guichet, GuichetModule } from '@guichet/nestjs';
import { createGuichet, type StageBody, type StageOptions } from '@guichet/sdk';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { FilesAppAdapter, FilesAppSettings, RunningFilesApp } from './files-app-types.ts';
import { listenOnLoopback } from './listen.ts';
import { ProductsController } from './products-controller.ts';

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
  adapter: FilesAppAdapter,
  settings: FilesAppSettings,
): Promise<RunningFilesApp> {
  const uploadIds: string[] = [];
  const guichet = recordingGuichet(settings, uploadIds);
  const { app, url } = await listenOnLoopback(FilesAppModule.register(guichet), adapter);
  return {
    url,
    uploadIds: () => [...uploadIds],
    async close() {
      await app.close();
      await guichet.close();
    },
  };
}
