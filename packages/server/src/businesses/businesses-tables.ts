import type { DefaultedTimestamp } from '../ports/sql/schema.ts';

/** A company (tenant) people work for. The id is opaque and random; the slug is for people and URLs. */
export interface BusinessTable {
  /** `biz_` and 26 base32 characters. */
  id: string;
  name: string;
  /** Lower-case ASCII letters, digits and single hyphens; unique. */
  slug: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** A person's place in a business: which roles they hold there. One row per (business, account). */
export interface MembershipTable {
  business_id: string;
  account_id: string;
  /** At least one role name; both drivers read a text[] back as a string array. */
  roles: string[];
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** Tables of this domain, as its migrations leave them; part of the Database type. */
export type BusinessesTables = {
  business: BusinessTable;
  membership: MembershipTable;
};
