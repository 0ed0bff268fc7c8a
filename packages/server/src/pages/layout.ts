import { type Brand, brandInitials, brandTextColor } from './brand.ts';
import { html, type SafeHtml, safeUrl } from './html.ts';
import type { Locale } from './locale.ts';
import { messagesFor } from './messages.ts';

/** What every page receives besides its own data. */
export interface PageBasics {
  locale: Locale;
  brand: Brand;
  /** Where the integrator serves `stylesheet(brand).css`, e.g. `/assets/guichet.<hash>.css`. */
  stylesheetHref: string;
}

/** The brand's logo, or its monogram beside its name when it has none. */
export function brandMark(brand: Brand): SafeHtml {
  if (brand.logoUrl !== undefined) {
    return html`<div class="brand"><img class="brand-logo" src="${safeUrl(brand.logoUrl)}" alt="${brand.name}"></div>`;
  }
  return html`<div class="brand"><span class="monogram" aria-hidden="true">${brandInitials(brand.name)}</span><span class="brand-name">${brand.name}</span></div>`;
}

/** The tab icon: the logo, or the monogram drawn as an SVG data URL (img-src allows data:). */
function favicon(brand: Brand): string {
  if (brand.logoUrl !== undefined) return safeUrl(brand.logoUrl);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="16" fill="${brand.primaryColor}"/>` +
    `<text x="32" y="42" text-anchor="middle" font-family="system-ui,sans-serif" font-size="28" font-weight="700" fill="${brandTextColor(brand)}">` +
    `${brandInitials(brand.name).replace(/[<>&"']/g, '')}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** The card's heading block: optional status icon, the page's only h1, optional subtitle. */
export function pageHeader(options: {
  heading: SafeHtml | string;
  subtitle?: SafeHtml;
  status?: SafeHtml;
}): SafeHtml {
  return html`<header class="header">${options.status}<h1>${options.heading}</h1>${
    options.subtitle === undefined ? '' : html`<p class="subtitle">${options.subtitle}</p>`
  }</header>`;
}

/**
 * The whole document around a page's card. `hasError` prefixes the title so screen reader users
 * hear that the submission failed as soon as the page loads.
 */
export function renderDocument(
  page: PageBasics & { title: string; hasError?: boolean; content: SafeHtml },
): string {
  const messages = messagesFor(page.locale);
  const title = `${page.hasError ? messages.errors.titlePrefix : ''}${page.title}${messages.titleSeparator}${page.brand.name}`;
  return `<!doctype html>\n${html`<html lang="${page.locale}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="${safeUrl(page.stylesheetHref)}">
<link rel="icon" href="${favicon(page.brand)}">
</head>
<body>
<main class="page">
<div class="card">
${brandMark(page.brand)}
${page.content}
</div>
</main>
</body>
</html>
`}`;
}
