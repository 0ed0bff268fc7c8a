import { isHexColor, textColorOn } from './color.ts';
import { safeUrl } from './html.ts';

/** How the sign-in pages present the company that runs Guichet. */
export interface Brand {
  name: string;
  /** An https URL, a same-origin path or a data: image; without one a monogram is drawn. */
  logoUrl?: string;
  /** `#rrggbb`, used for the primary button, links and the focus ring. */
  primaryColor: string;
}

export const defaultBrandName = 'Guichet';

/** Indigo: white text on it passes WCAG AA (6.3:1). */
export const defaultBrandColor = '#4f46e5';

const maxNameLength = 80;

function readName(value: string | undefined): string {
  const name = value?.trim() ?? '';
  if (name === '') return defaultBrandName;
  if (name.length > maxNameLength)
    throw new Error(`GUICHET_BRAND_NAME is longer than ${maxNameLength} characters`);
  return name;
}

function readColor(value: string | undefined): string {
  const color = value?.trim() ?? '';
  if (color === '') return defaultBrandColor;
  if (!isHexColor(color))
    throw new Error(`GUICHET_BRAND_COLOR must look like #4f46e5, got ${JSON.stringify(color)}`);
  return color.toLowerCase();
}

function readLogoUrl(value: string | undefined): string | undefined {
  const url = value?.trim() ?? '';
  if (url === '') return undefined;
  try {
    return safeUrl(url);
  } catch (error) {
    throw new Error(`GUICHET_BRAND_LOGO_URL: ${(error as Error).message}`);
  }
}

/**
 * Builds a brand from its settings, validating them: a bad value stops the server at start-up
 * rather than showing broken pages to people signing in.
 */
export function createBrand(settings: {
  name?: string | undefined;
  logoUrl?: string | undefined;
  color?: string | undefined;
}): Brand {
  const logoUrl = readLogoUrl(settings.logoUrl);
  return {
    name: readName(settings.name),
    ...(logoUrl === undefined ? {} : { logoUrl }),
    primaryColor: readColor(settings.color),
  };
}

/** Reads the brand from GUICHET_BRAND_NAME, GUICHET_BRAND_LOGO_URL and GUICHET_BRAND_COLOR. */
export function brandFromEnv(env: Readonly<Record<string, string | undefined>>): Brand {
  return createBrand({
    name: env.GUICHET_BRAND_NAME,
    logoUrl: env.GUICHET_BRAND_LOGO_URL,
    color: env.GUICHET_BRAND_COLOR,
  });
}

/** White or near-black, whichever reads best on the brand colour (buttons, monogram). */
export function brandTextColor(brand: Brand): string {
  return textColorOn(brand.primaryColor);
}

/** Building a segmenter costs far more than using one; every page shows the monogram. */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Up to two initials for the monogram: "Acme Shop" → "AS", "guichet" → "G". */
export function brandInitials(name: string): string {
  const words = name.split(/[\s\-_.]+/).filter((word) => /[\p{L}\p{N}]/u.test(word));
  const initials = words.slice(0, 2).map((word) => {
    const letters = word.replace(/^[^\p{L}\p{N}]+/u, '');
    return graphemes.segment(letters)[Symbol.iterator]().next().value?.segment ?? '';
  });
  return initials.join('').toLocaleUpperCase() || '?';
}
