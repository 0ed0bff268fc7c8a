import type { GuichetAuthentication } from '@guichet/nestjs';
import type { GuichetDirectory } from '@guichet-examples/relying-party';
import { Inject, Injectable } from '@nestjs/common';
import type { ShopHeader } from '../pages/shop-header.ts';
import { DIRECTORY } from '../shop-tokens.ts';

/** Puts names on the ids the session context gives: the person, their businesses. */
@Injectable()
export class ShopHeaderService {
  constructor(@Inject(DIRECTORY) private readonly directory: GuichetDirectory) {}

  async headerFor(auth: Pick<GuichetAuthentication, 'sub' | 'businessId'>): Promise<ShopHeader> {
    const [memberships, person] = await Promise.all([
      this.directory.membershipsOf(auth.sub),
      this.directory.personOf(auth.sub),
    ]);
    const active = memberships.find((membership) => membership.businessId === auth.businessId);
    return {
      personName: person?.name ?? '',
      activeBusinessId: auth.businessId,
      activeBusinessName: active?.businessName ?? 'No business',
      memberships,
    };
  }
}
