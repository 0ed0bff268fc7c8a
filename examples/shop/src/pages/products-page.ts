import { html } from '@guichet-examples/relying-party';
import type { Product, ShownImage } from '../products/product.ts';
import { formatPrice } from './format-price.ts';
import { layout } from './layout.ts';
import type { ShopHeader } from './shop-header.ts';

export interface ProductCard {
  product: Product;
  cover: ShownImage | undefined;
}

export function renderProductsPage(header: ShopHeader, cards: ProductCard[]): string {
  const grid =
    cards.length === 0
      ? html`<div class="empty"><h2>No products yet</h2><p class="lead">Add the first product of ${header.activeBusinessName}.</p>
<p><a class="button" href="/products/new">New product</a></p></div>`
      : html`<div class="grid" data-testid="products">${cards.map(
          ({
            product,
            cover,
          }) => html`<a class="card" href="/products/${product.id}" data-testid="product-card">
${
  cover === undefined
    ? html`<div class="placeholder" aria-hidden="true">◇</div>`
    : html`<img src="${cover.url}" alt="" loading="lazy" data-variant="${cover.variant}" data-file-id="${cover.fileId}">`
}
<div class="card-body"><h2>${product.name}</h2><span class="price">${formatPrice(product.priceCents)}</span></div>
</a>`,
        )}</div>`;
  return layout(
    `Products · ${header.activeBusinessName}`,
    html`<div class="page-head"><div><h1>Products</h1><p class="lead">The catalogue of ${header.activeBusinessName}.</p></div>
<a class="button" href="/products/new">New product</a></div>
${grid}`,
    header,
  );
}
