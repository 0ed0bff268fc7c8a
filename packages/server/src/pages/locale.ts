export const supportedLocales = ['en', 'fr'] as const;

export type Locale = (typeof supportedLocales)[number];

export const defaultLocale: Locale = 'en';

// The header is attacker-controlled: look at a bounded number of entries only.
const maxEntries = 32;

function isSupported(language: string): language is Locale {
  return (supportedLocales as readonly string[]).includes(language);
}

/** Reads `q=0.8`; a missing q means 1, a malformed one disqualifies the entry (RFC 9110 §12.4.2). */
function qualityOf(parameters: readonly string[]): number {
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=').map((part) => part.trim());
    if (name?.toLowerCase() !== 'q') continue;
    if (value === undefined || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) return 0;
    return Number(value);
  }
  return 1;
}

interface Entry {
  language: string;
  quality: number;
}

function parseEntries(acceptLanguage: string): Entry[] {
  return acceptLanguage
    .split(',')
    .slice(0, maxEntries)
    .map((entry) => {
      const [range = '', ...parameters] = entry.split(';');
      return { language: range.trim().toLowerCase().split('-')[0] ?? '', quality: qualityOf(parameters) };
    });
}

/**
 * Picks the page language from Accept-Language: the supported language with the highest q-value,
 * the first listed on a tie. `*` stands for any language the header does not name. Anything
 * unparseable falls back to English.
 */
export function negotiateLocale(acceptLanguage: string | undefined): Locale {
  if (acceptLanguage === undefined) return defaultLocale;
  const entries = parseEntries(acceptLanguage);
  const named = new Set(entries.map((entry) => entry.language));
  const unnamed = [defaultLocale, ...supportedLocales].find((locale) => !named.has(locale));
  let best: { locale: Locale; quality: number } | undefined;
  for (const { language, quality } of entries) {
    const locale = language === '*' ? unnamed : language;
    if (locale === undefined || !isSupported(locale) || quality <= 0) continue;
    if (best === undefined || quality > best.quality) best = { locale, quality };
  }
  return best?.locale ?? defaultLocale;
}
