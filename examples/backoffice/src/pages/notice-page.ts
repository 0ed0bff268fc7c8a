import { html, type SafeHtml } from '@guichet-examples/relying-party';
import { type HeaderInfo, layout } from './layout.ts';

/** A page with one message: admins only, signed out, or something went wrong. */
export function renderNotice(
  title: string,
  message: string,
  options: { header?: HeaderInfo; action?: SafeHtml } = {},
): string {
  return layout(
    title,
    html`<section class="notice"><h1>${title}</h1><p class="lead">${message}</p>${options.action ?? html``}</section>`,
    options.header,
  );
}
