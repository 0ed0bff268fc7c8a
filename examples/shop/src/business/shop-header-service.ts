import type { GuichetAuthentication } from '@guichet/nestjs';
import { sessionBusinesses } from '@guichet-examples/relying-party';
import { Inject, Injectable } from '@nestjs/common';
import type { ShopHeader } from '../pages/shop-header.ts';
import type { ShopConfig } from '../shop-config.ts';
import { SHOP_CONFIG } from '../shop-tokens.ts';

/** Puts names on the ids the session context gives: the person, their businesses. */
@Injectable()
export class ShopHeaderService {
  constructor(@Inject(SHOP_CONFIG) private readonly config: ShopConfig) {}

  async headerFor(auth: Pick<GuichetAuthentication, 'businessId' | 'token'>): Promise<ShopHeader> {
    // Guichet answers the person's own directory to their access token: no admin token here.
    const directory = await sessionBusinesses(this.config.issuer, auth.token);
    const memberships = [...directory.businesses].sort((a, b) => a.name.localeCompare(b.name));
    // The active business is the one the guard resolved, so the header matches the page's data.
    const active = memberships.find((business) => business.id === auth.businessId);
    return {
      personName: directory.name,
      activeBusinessId: auth.businessId,
      activeBusinessName: active?.name ?? 'No business',
      memberships,
    };
  }
}
