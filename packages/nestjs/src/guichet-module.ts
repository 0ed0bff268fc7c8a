import { createGuichet } from '@guichet/sdk';
import {
  type DynamicModule,
  Inject,
  Logger,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { GuichetClient } from './guichet-client.ts';
import { GuichetGuard } from './guichet-guard.ts';
import { GUICHET, GUICHET_MODULE_OPTIONS } from './injection-tokens.ts';
import type {
  GuichetModuleAsyncOptions,
  GuichetModuleOptions,
  GuichetOptionsFactory,
  GuichetRegistration,
} from './module-options.ts';

const logger = new Logger('Guichet');

function clientFrom(options: GuichetModuleOptions): GuichetClient {
  if ('client' in options) return options.client;
  const guichet = createGuichet(options);
  // Outages and misconfiguration the SDK handled in the background belong in the app's log.
  guichet.on('error', (error) => logger.warn(error.message));
  return guichet;
}

function optionsProviders(options: GuichetModuleAsyncOptions): Provider[] {
  const { useFactory, useClass, useExisting } = options;
  if (useFactory !== undefined) {
    return [
      {
        provide: GUICHET_MODULE_OPTIONS,
        useFactory: (...args: unknown[]) => useFactory(...(args as never[])),
        inject: options.inject ?? [],
      },
    ];
  }
  const factoryClass = useClass ?? useExisting;
  if (factoryClass === undefined) {
    throw new TypeError('GuichetModule.forRootAsync needs useFactory, useClass or useExisting');
  }
  const fromFactory: Provider = {
    provide: GUICHET_MODULE_OPTIONS,
    useFactory: (factory: GuichetOptionsFactory) => factory.createGuichetOptions(),
    inject: [factoryClass],
  };
  return useClass !== undefined ? [{ provide: useClass, useClass }, fromFactory] : [fromFactory];
}

function sharedProviders(registration: GuichetRegistration): Provider[] {
  const providers: Provider[] = [
    { provide: GUICHET, useFactory: clientFrom, inject: [GUICHET_MODULE_OPTIONS] },
  ];
  if (registration.globalGuard !== false) providers.push({ provide: APP_GUARD, useClass: GuichetGuard });
  return providers;
}

/**
 * Registers Guichet once, in the root module: the SDK instance (injectable as `GUICHET`) and,
 * unless `globalGuard: false`, `GuichetGuard` on every route. The module is global, so
 * `@UseGuards(GuichetGuard)` and `@Inject(GUICHET)` work in any module.
 */
export class GuichetModule implements OnApplicationShutdown {
  readonly #options: GuichetModuleOptions;
  readonly #guichet: GuichetClient;

  constructor(options: GuichetModuleOptions, guichet: GuichetClient) {
    this.#options = options;
    this.#guichet = guichet;
  }

  /** Closes the SDK instance the module created (its event stream, Redis connection, timers). */
  async onApplicationShutdown(): Promise<void> {
    if (!('client' in this.#options)) await this.#guichet.close?.();
  }

  /** Registers with options known up front. */
  static forRoot(options: GuichetModuleOptions & GuichetRegistration): DynamicModule {
    const { globalGuard, ...moduleOptions } = options;
    return {
      module: GuichetModule,
      global: true,
      providers: [
        { provide: GUICHET_MODULE_OPTIONS, useValue: moduleOptions },
        ...sharedProviders({ globalGuard }),
      ],
      exports: [GUICHET, GUICHET_MODULE_OPTIONS],
    };
  }

  /** Registers with options built from other providers, e.g. a configuration service. */
  static forRootAsync(options: GuichetModuleAsyncOptions): DynamicModule {
    return {
      module: GuichetModule,
      global: true,
      imports: options.imports ?? [],
      providers: [...optionsProviders(options), ...sharedProviders(options)],
      exports: [GUICHET, GUICHET_MODULE_OPTIONS],
    };
  }
}

// Decorators applied by hand: Node's type stripping does not run decorator syntax.
Inject(GUICHET_MODULE_OPTIONS)(GuichetModule, undefined, 0);
Inject(GUICHET)(GuichetModule, undefined, 1);
