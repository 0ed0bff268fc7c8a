import type { GuichetOptions } from '@guichet/sdk';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { GuichetClient } from './guichet-client.ts';

/**
 * How the module gets its SDK instance: either the `createGuichet` options (the module creates
 * the instance and closes it on shutdown) or `{ client }`, an instance you own and close.
 */
export type GuichetModuleOptions = GuichetOptions | { client: GuichetClient };

/** Registration settings that are not SDK options. */
export interface GuichetRegistration {
  /** Install `GuichetGuard` as a global guard (default `true`); otherwise use `@UseGuards`. */
  globalGuard?: boolean;
}

/** Builds the options in a class, for `forRootAsync({ useClass })` or `({ useExisting })`. */
export interface GuichetOptionsFactory {
  createGuichetOptions(): GuichetModuleOptions | Promise<GuichetModuleOptions>;
}

/** `GuichetModule.forRootAsync` settings: exactly one of useFactory, useClass, useExisting. */
export interface GuichetModuleAsyncOptions extends GuichetRegistration, Pick<ModuleMetadata, 'imports'> {
  // `never[]` accepts any parameter list, so `(config: ConfigService) => ...` fits without `any`.
  useFactory?: (...args: never[]) => GuichetModuleOptions | Promise<GuichetModuleOptions>;
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useClass?: Type<GuichetOptionsFactory>;
  useExisting?: Type<GuichetOptionsFactory>;
}
