import { html, type SafeHtml } from '@guichet-examples/relying-party';
import { layout } from './layout.ts';
import type { ShopHeader } from './shop-header.ts';

/** What the person typed, given back when the form is refused so nothing needs retyping. */
export interface ProductFormValues {
  name?: string;
  price?: string;
  description?: string;
}

/** Refusals by field name (`images` for the files); `form` for the rest. */
export type ProductFormErrors = Record<string, string[]>;

function fieldErrors(errors: ProductFormErrors, field: string): SafeHtml {
  return html`${(errors[field] ?? []).map((message) => html`<span class="error">${message}</span>`)}`;
}

function invalid(errors: ProductFormErrors, field: string): SafeHtml {
  return (errors[field]?.length ?? 0) > 0 ? html` invalid` : html``;
}

export function renderProductForm(
  header: ShopHeader,
  values: ProductFormValues = {},
  errors: ProductFormErrors = {},
): string {
  const all = Object.values(errors).flat();
  const summary =
    all.length === 0
      ? html``
      : html`<div class="errors" role="alert" data-testid="form-errors"><strong>The product was not saved, and no image was kept.</strong>
<ul>${all.map((message) => html`<li>${message}</li>`)}</ul></div>`;
  return layout(
    `New product · ${header.activeBusinessName}`,
    html`<p class="meta"><a href="/products">← All products</a></p>
<div class="page-head"><div><h1>New product</h1><p class="lead">It will be listed in the catalogue of ${header.activeBusinessName}.</p></div></div>
<form class="form" method="post" action="/products" enctype="multipart/form-data" novalidate>
${summary}
<div class="field${invalid(errors, 'name')}"><label for="name">Name</label>
<input id="name" name="name" value="${values.name ?? ''}" maxlength="200">${fieldErrors(errors, 'name')}</div>
<div class="field${invalid(errors, 'price')}"><label for="price">Price (EUR)</label>
<input id="price" name="price" inputmode="decimal" value="${values.price ?? ''}">${fieldErrors(errors, 'price')}</div>
<div class="field${invalid(errors, 'description')}"><label for="description">Description</label>
<textarea id="description" name="description" rows="5">${values.description ?? ''}</textarea>${fieldErrors(errors, 'description')}</div>
<div class="field${invalid(errors, 'images')}"><label for="images">Images</label>
<input id="images" name="images" type="file" accept="image/jpeg,image/png,image/webp" multiple>
<span class="hint">Up to 5 images, JPEG, PNG or WebP, 5 MB each.</span>${fieldErrors(errors, 'images')}</div>
<button type="submit">Add product</button>
</form>`,
    header,
  );
}
