import { InvalidBusinessInputError } from './business-errors.ts';

export const maxSlugLength = 63;
/** A derived slug leaves room for a "-<n>" suffix within maxSlugLength. */
const maxDerivedSlugLength = 56;
const slugShape = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Used when a name has no letter or digit that survives the move to ASCII (e.g. a name in kanji). */
const fallbackSlug = 'business';

// Letters NFKD does not decompose into an ASCII base letter, spelled as people would type them.
const asciiSpellings: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

export function isValidSlug(slug: string): boolean {
  return slug.length <= maxSlugLength && slugShape.test(slug);
}

/** A slug given by the caller: kept as is when valid, refused otherwise (never silently rewritten). */
export function checkedSlug(slug: string): string {
  if (!isValidSlug(slug))
    throw new InvalidBusinessInputError(
      'slug',
      `slug must be 1 to ${maxSlugLength} lower-case letters, digits and single hyphens (e.g. acme-shop)`,
    );
  return slug;
}

/** "Café Éclair & Co" becomes "cafe-eclair-co": lower-case ASCII words joined by single hyphens. */
export function slugFromName(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (letter) => asciiSpellings[letter] ?? '');
  const slug = ascii
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, maxDerivedSlugLength)
    .replace(/-+$/, '');
  return slug === '' ? fallbackSlug : slug;
}

/**
 * The first free slug among `base`, `base-2`, `base-3`... given the slugs already taken that start
 * with `base`.
 */
export function firstFreeSlug(base: string, taken: Iterable<string>): string {
  const takenSet = new Set(taken);
  if (!takenSet.has(base)) return base;
  for (let suffix = 2; ; suffix += 1) {
    const candidate = `${base}-${suffix}`;
    if (!takenSet.has(candidate)) return candidate;
  }
}
