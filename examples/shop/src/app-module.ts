import { type Guichet, GuichetModule } from '@guichet/nestjs';
import type { RelyingParty } from '@guichet-examples/relying-party';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BusinessController } from './business/business-controller.ts';
import { ShopHeaderService } from './business/shop-header-service.ts';
import type { ShopDatabase } from './database/shop-database.ts';
import { HealthController } from './health/health-controller.ts';
import { ProductImages } from './products/product-images.ts';
import { ProductsController } from './products/products-controller.ts';
import { ProductsRepository } from './products/products-repository.ts';
import type { ShopConfig } from './shop-config.ts';
import { RELYING_PARTY, SHOP_CONFIG, SHOP_DATABASE } from './shop-tokens.ts';
import { SignInController } from './sign-in/sign-in-controller.ts';
import { SignInRedirectFilter } from './sign-in/sign-in-redirect.filter.ts';

export interface ShopDependencies {
  config: ShopConfig;
  guichet: Guichet;
  relyingParty: RelyingParty;
  database: ShopDatabase;
}

/** The shop's root module; `shopModule()` gives it its providers. */
@Module({})
export class AppModule {}

/** The shop: Guichet's guard on every route but sign-in and health, products per active business. */
export function shopModule(deps: ShopDependencies): DynamicModule {
  return {
    module: AppModule,
    imports: [GuichetModule.forRoot({ client: deps.guichet })],
    controllers: [HealthController, SignInController, BusinessController, ProductsController],
    providers: [
      { provide: SHOP_CONFIG, useValue: deps.config },
      { provide: RELYING_PARTY, useValue: deps.relyingParty },
      { provide: SHOP_DATABASE, useValue: deps.database },
      { provide: APP_FILTER, useClass: SignInRedirectFilter },
      ShopHeaderService,
      ProductsRepository,
      ProductImages,
    ],
  };
}
