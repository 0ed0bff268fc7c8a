import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Queryable, ShopDatabase } from '../database/shop-database.ts';
import { SHOP_DATABASE } from '../shop-tokens.ts';
import type { Product } from './product.ts';

interface ProductRow {
  id: string;
  business_id: string;
  name: string;
  price_cents: number;
  description: string;
  image_ids: string[];
  created_by: string;
  created_at: Date | string;
}

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    businessId: row.business_id,
    name: row.name,
    priceCents: row.price_cents,
    description: row.description,
    imageIds: row.image_ids,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
  };
}

const columns = 'id, business_id, name, price_cents, description, image_ids, created_by, created_at';

/** Products in the shop's own table. Every query is scoped by the business the session is in. */
@Injectable()
export class ProductsRepository {
  constructor(@Inject(SHOP_DATABASE) private readonly db: ShopDatabase) {}

  async listOf(businessId: string): Promise<Product[]> {
    const rows = await this.db.query<ProductRow>(
      `SELECT ${columns} FROM product WHERE business_id = $1 ORDER BY created_at DESC LIMIT 200`,
      [businessId],
    );
    return rows.map(toProduct);
  }

  async find(businessId: string, id: string): Promise<Product | undefined> {
    const [row] = await this.db.query<ProductRow>(
      `SELECT ${columns} FROM product WHERE business_id = $1 AND id = $2`,
      [businessId, id],
    );
    return row === undefined ? undefined : toProduct(row);
  }

  /**
   * Inserts the product, then runs `beforeCommit` (the files' commit at Guichet) inside the same
   * transaction: if Guichet refuses the files, the product row is rolled back with them.
   */
  async create(
    input: Omit<Product, 'id' | 'createdAt'>,
    beforeCommit: (tx: Queryable) => Promise<void>,
  ): Promise<string> {
    const id = `prd_${randomBytes(12).toString('base64url')}`;
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO product (id, business_id, name, price_cents, description, image_ids, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          id,
          input.businessId,
          input.name,
          input.priceCents,
          input.description,
          input.imageIds,
          input.createdBy,
        ],
      );
      await beforeCommit(tx);
    });
    return id;
  }
}
