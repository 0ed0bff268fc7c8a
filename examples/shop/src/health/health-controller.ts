import { Public } from '@guichet/nestjs';
import { Controller, Get, Header } from '@nestjs/common';
import { stylesheet } from '../pages/stylesheet.ts';

/** Routes that need nobody: the health check and the stylesheet. */
@Controller()
@Public()
export class HealthController {
  @Get('healthz')
  health(): { ok: true } {
    return { ok: true };
  }

  @Get('styles.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'max-age=300')
  styles(): string {
    return stylesheet;
  }
}
