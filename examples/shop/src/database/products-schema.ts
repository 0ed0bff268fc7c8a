/**
 * The product table, created if missing. `business_id` comes from the session's context, never from
 * the form; `image_ids` are Guichet file ids, committed in the same transaction as the row.
 */
export const productsSchema: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS product (
    id text PRIMARY KEY,
    business_id text NOT NULL,
    name text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents > 0),
    description text NOT NULL DEFAULT '',
    image_ids text[] NOT NULL DEFAULT '{}',
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  'CREATE INDEX IF NOT EXISTS product_business_created ON product (business_id, created_at DESC)',
];
