import { CurrentUser, GUICHET, type GuichetAuthentication } from '@guichet/nestjs';
import type { Guichet } from '@guichet/sdk';
import { BusinessSwitchError, switchBusiness } from '@guichet-examples/relying-party';
import { Body, Controller, ForbiddenException, Inject, Post, Redirect } from '@nestjs/common';
import type { ShopConfig } from '../shop-config.ts';
import { SHOP_CONFIG } from '../shop-tokens.ts';
import { nextEvent } from './session-events.ts';
import { SwitchBusinessDto } from './switch-business.dto.ts';

/**
 * The header's switcher: Guichet changes the active business of the person's session, so the
 * back office and every other app of the session follow at once, with the tokens they have.
 */
@Controller('business')
export class BusinessController {
  constructor(
    @Inject(SHOP_CONFIG) private readonly config: ShopConfig,
    @Inject(GUICHET) private readonly guichet: Guichet,
  ) {}

  @Post()
  @Redirect('/products', 303)
  async switch(@Body() body: SwitchBusinessDto, @CurrentUser() user: GuichetAuthentication): Promise<void> {
    // The SDK caches the session's context and drops it when Guichet's `business.switched` event
    // arrives; wait for it (briefly), so the page after the redirect already shows the new business.
    const switched = nextEvent(
      this.guichet,
      (event) => event.type === 'business.switched' && event.sid === user.sid,
      3_000,
    );
    try {
      await switchBusiness(this.config.issuer, user.token, body.business_id);
    } catch (error) {
      switched.cancel();
      if (error instanceof BusinessSwitchError && error.status === 403)
        throw new ForbiddenException('you are not a member of that business');
      throw error;
    }
    await switched.arrived;
  }
}
