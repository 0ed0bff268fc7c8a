import { CurrentUser, GuichetGuard, GuichetModule, Roles } from '@guichet/nestjs';
import { Controller, Get, Module, UseGuards } from '@nestjs/common';

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

@Controller('open')
export class OpenController {
  @Get()
  open(): { open: true } {
    return { open: true };
  }
}

@Controller('reports')
@UseGuards(GuichetGuard)
export class ReportsController {
  @Get()
  list(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }

  @Get('owners')
  @Roles('owner')
  owners(@CurrentUser('businessId') businessId: string): { businessId: string } {
    return { businessId };
  }
}

/** The other setup: options written inline, the guard only where `@UseGuards` asks for it. */
@Module({
  imports: [
    GuichetModule.forRoot({
      issuer: setting('GUICHET_ISSUER'),
      audience: setting('GUICHET_AUDIENCE'),
      clientId: setting('GUICHET_CLIENT_ID'),
      clientSecret: setting('GUICHET_CLIENT_SECRET'),
      events: 'none',
      globalGuard: false,
    }),
  ],
  controllers: [OpenController, ReportsController],
})
export class GuardedRoutesModule {}
