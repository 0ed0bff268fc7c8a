import { html, type SafeHtml } from '@guichet-examples/relying-party';
import type { ShopHeader } from './shop-header.ts';

function switcher(header: ShopHeader): SafeHtml {
  if (header.memberships.length < 2) return html``;
  const options = header.memberships.map(
    (membership) =>
      html`<option value="${membership.id}"${membership.id === header.activeBusinessId ? html` selected` : html``}>${membership.name}</option>`,
  );
  return html`<form class="switcher" method="post" action="/business">
<label for="business">Business</label>
<select id="business" name="business_id">${options}</select>
<button class="secondary" type="submit">Switch</button>
</form>`;
}

/** Every page: the header (business, switcher, person, sign-out), then the content. */
export function layout(title: string, content: SafeHtml, header?: ShopHeader): string {
  const right =
    header === undefined
      ? html`<span class="spacer"></span><a class="button" href="/login">Sign in</a>`
      : html`<span class="spacer"></span>${switcher(header)}
<span class="person">${header.personName}</span>
<form method="post" action="/logout"><button class="secondary" type="submit">Sign out</button></form>`;
  const logo =
    header === undefined
      ? html`<a class="logo" href="/">The Shop</a>`
      : html`<a class="logo" href="/products"><span data-testid="active-business">${header.activeBusinessName}</span><small>Shop</small></a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/styles.css">
</head>
<body>
<header class="site">${logo}${right}</header>
<main>${content}</main>
</body>
</html>`.value;
}
