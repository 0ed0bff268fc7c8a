import type { SessionBusiness } from '@guichet-examples/relying-party';

/** What the header shows: who is signed in, the active business, and the others to switch to. */
export interface ShopHeader {
  personName: string;
  activeBusinessId: string | null;
  activeBusinessName: string;
  memberships: SessionBusiness[];
}
