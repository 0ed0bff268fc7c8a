import { GuichetModule } from '@guichet/nestjs';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from './config.ts';
import { HealthController } from './health-controller.ts';
import { OrdersController } from './orders-controller.ts';

/** The usual setup: options from configuration, the guard on every route. */
@Module({
  imports: [
    GuichetModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        issuer: config.get('GUICHET_ISSUER'),
        audience: config.get('GUICHET_AUDIENCE'),
        clientId: config.get('GUICHET_CLIENT_ID'),
        clientSecret: config.get('GUICHET_CLIENT_SECRET'),
        events: 'none' as const,
      }),
    }),
  ],
  controllers: [HealthController, OrdersController],
})
export class AppModule {}
