/** The company the demo seeds: two businesses and three people with different roles in them. */
export interface DemoBusiness {
  slug: string;
  name: string;
}

export interface DemoPerson {
  email: string;
  name: string;
  /** Roles by business slug. */
  roles: Record<string, string[]>;
}

export const demoBusinesses: readonly DemoBusiness[] = [
  { slug: 'northwind', name: 'Northwind Outfitters' },
  { slug: 'blue-harbor', name: 'Blue Harbor Coffee' },
];

export const demoPeople: readonly DemoPerson[] = [
  // Owns one business and runs the other: sees the business chooser, then the switcher.
  {
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    roles: { northwind: ['owner'], 'blue-harbor': ['admin'] },
  },
  { email: 'grace@example.com', name: 'Grace Hopper', roles: { northwind: ['admin'] } },
  // A member everywhere: the back office shows them "admins only".
  {
    email: 'linus@example.com',
    name: 'Linus Torvalds',
    roles: { northwind: ['member'], 'blue-harbor': ['member'] },
  },
];

/** The two APIs: each app asks for access tokens only its own API accepts (RFC 8707). */
export const shopAudience = 'https://shop.example/api';
export const backofficeAudience = 'https://backoffice.example/api';

/** The file purpose of product images: types sniffed from the bytes, sizes, and a thumbnail. */
export const productImagePurpose = 'product-image';
