import type { Brand } from './brand.ts';
import { hoverShade, mix, textColorOn, withContrast } from './color.ts';

/** The colours of one scheme (light or dark). Tests check every text/background pair for WCAG AA. */
export interface Scheme {
  page: string;
  surface: string;
  subtle: string;
  text: string;
  muted: string;
  border: string;
  fieldBorder: string;
  primary: string;
  onPrimary: string;
  primaryHover: string;
  /** The brand colour adjusted to read as text on the surface: links, focus ring, icons. */
  accent: string;
  accentSoft: string;
  danger: string;
  dangerSurface: string;
  dangerBorder: string;
  success: string;
  successSurface: string;
}

const lightNeutrals = {
  page: '#f3f4f6',
  surface: '#ffffff',
  subtle: '#f6f7f9',
  text: '#0f1115',
  muted: '#555c69',
  border: '#e3e5e9',
  // 3:1 against the surface: WCAG 1.4.11 asks it of a field's outline.
  fieldBorder: '#858b96',
  danger: '#b42318',
  dangerSurface: '#fef3f2',
  dangerBorder: '#f6c9c4',
  success: '#067647',
  successSurface: '#e8f7ee',
};

const darkNeutrals = {
  page: '#0b0c0f',
  surface: '#15171c',
  subtle: '#1c1f25',
  text: '#eceef2',
  muted: '#a3a9b4',
  border: '#2b2f37',
  fieldBorder: '#6e7582',
  danger: '#ff9c90',
  dangerSurface: '#2a1513',
  dangerBorder: '#5a2721',
  success: '#6fdca0',
  successSurface: '#11291d',
};

function scheme(neutrals: typeof lightNeutrals, primary: string): Scheme {
  const accent = withContrast(primary, neutrals.surface, 4.5);
  return {
    ...neutrals,
    primary,
    onPrimary: textColorOn(primary),
    primaryHover: hoverShade(primary),
    accent,
    accentSoft: mix(accent, neutrals.surface, 0.88),
  };
}

/**
 * Light and dark colours for a brand. In dark mode the button colour is lifted until it stands out
 * from the dark card (3:1), so a navy brand still gets a visible button.
 */
export function palette(brand: Brand): { light: Scheme; dark: Scheme } {
  return {
    light: scheme(lightNeutrals, brand.primaryColor),
    dark: scheme(darkNeutrals, withContrast(brand.primaryColor, darkNeutrals.surface, 3)),
  };
}
