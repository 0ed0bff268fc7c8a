import { html } from '@guichet-examples/relying-party';
import type { Product, ShownImage } from '../products/product.ts';
import { formatPrice } from './format-price.ts';
import { layout } from './layout.ts';
import type { ShopHeader } from './shop-header.ts';

export function renderProductPage(header: ShopHeader, product: Product, images: ShownImage[]): string {
  const gallery =
    images.length === 0
      ? html`<div class="card"><div class="placeholder" aria-hidden="true">◇</div></div>`
      : html`<div class="gallery" data-testid="gallery">${images.map(
          (image) =>
            html`<img src="${image.url}" alt="${product.name}" data-variant="${image.variant}" data-file-id="${image.fileId}">`,
        )}</div>`;
  return layout(
    `${product.name} · ${header.activeBusinessName}`,
    html`<p class="meta"><a href="/products">← All products</a></p>
<article class="product">
${gallery}
<div>
<span class="tag">${header.activeBusinessName}</span>
<h1>${product.name}</h1>
<span class="price">${formatPrice(product.priceCents)}</span>
<p class="description">${product.description}</p>
<p class="meta">Added ${product.createdAt.toISOString().slice(0, 10)}</p>
</div>
</article>`,
    header,
  );
}
