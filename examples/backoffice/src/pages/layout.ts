import { html, type SafeHtml } from '@guichet-examples/relying-party';

export interface HeaderInfo {
  businessName: string | undefined;
  personName: string | undefined;
}

/** Every page: the top bar (business, person, sign-out) and the content. */
export function layout(title: string, content: SafeHtml, header?: HeaderInfo): string {
  const bar =
    header === undefined
      ? html``
      : html`<span class="business" data-testid="active-business">${header.businessName ?? 'No business'}</span>
<span class="spacer"></span>
<span class="person">${header.personName ?? ''}</span>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Back office</title>
<link rel="stylesheet" href="/styles.css">
</head>
<body>
<header class="topbar"><a class="brand" href="/">Back office</a>${bar}</header>
<main>${content}</main>
</body>
</html>`.value;
}
