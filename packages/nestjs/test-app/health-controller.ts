import { CurrentUser, type GuichetAuthentication, Public } from '@guichet/nestjs';
import { Controller, Get } from '@nestjs/common';

@Controller('health')
export class HealthController {
  @Public()
  @Get()
  health(@CurrentUser() user: GuichetAuthentication | undefined): { ok: boolean; authenticated: boolean } {
    return { ok: true, authenticated: user !== undefined };
  }
}
