import { GuichetModule } from '@guichet/nestjs';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from './config.ts';
import { EventsHealthController } from './events-health-controller.ts';
import { HealthController } from './health-controller.ts';
import { OrdersController } from './orders-controller.ts';

/** The usual setup: options from configuration, the guard on every route. */
@Module({
  imports: [
    GuichetModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        issuer: config.getOrThrow('GUICHET_ISSUER'),
        audience: config.getOrThrow('GUICHET_AUDIENCE'),
        clientId: config.getOrThrow('GUICHET_CLIENT_ID'),
        clientSecret: config.getOrThrow('GUICHET_CLIENT_SECRET'),
        // Against a real Guichet the tests ask for its event stream; the fake issuer has none worth reading.
        events: config.get('GUICHET_EVENTS') === 'sse' ? 'sse' : 'none',
      }),
    }),
  ],
  controllers: [HealthController, EventsHealthController, OrdersController],
})
export class AppModule {}
