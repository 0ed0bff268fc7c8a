import { CurrentUser, GUICHET, type GuichetAuthentication } from '@guichet/nestjs';
import type { Guichet } from '@guichet/sdk';
import { SessionApiError, switchBusiness } from '@guichet-examples/relying-party';
import { Body, Controller, ForbiddenException, Inject, Post, Redirect } from '@nestjs/common';
import type { ShopConfig } from '../shop-config.ts';
import { SHOP_CONFIG } from '../shop-tokens.ts';
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
    try {
      await switchBusiness(this.config.issuer, user.token, body.business_id);
    } catch (error) {
      if (error instanceof SessionApiError && error.status === 403)
        throw new ForbiddenException('you are not a member of that business');
      throw error;
    }
    // The shop made the change itself: it need not wait for Guichet's `business.switched` event to
    // drop the SDK's cached context, so the page after the redirect already shows the new business.
    // Switches made elsewhere still reach the shop through that event.
    if (user.sid !== null) this.guichet.forgetSession(user.sid);
  }
}
