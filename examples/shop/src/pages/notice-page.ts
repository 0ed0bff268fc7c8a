import { html } from '@guichet-examples/relying-party';
import { layout } from './layout.ts';
import type { ShopHeader } from './shop-header.ts';

/** A page with one message: no business, not allowed, something went wrong. */
export function renderNotice(title: string, message: string, header?: ShopHeader): string {
  return layout(title, html`<section class="hero"><h1>${title}</h1><p>${message}</p></section>`, header);
}
