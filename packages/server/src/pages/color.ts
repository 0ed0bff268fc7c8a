/** sRGB colour maths for WCAG contrast, on `#rrggbb` strings. */

const hexPattern = /^#[0-9a-f]{6}$/i;

export function isHexColor(value: string): boolean {
  return hexPattern.test(value);
}

type Rgb = readonly [number, number, number];

function toRgb(hex: string): Rgb {
  if (!isHexColor(hex)) throw new Error(`not a #rrggbb colour: ${JSON.stringify(hex)}`);
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
}

function linear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2.x relative luminance. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = toRgb(hex);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2.x contrast ratio, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (lighter + 0.05) / (darker + 0.05);
}

/** Mixes `weight` (0..1) of `other` into `base`. */
export function mix(base: string, other: string, weight: number): string {
  const [r1, g1, b1] = toRgb(base);
  const [r2, g2, b2] = toRgb(other);
  const blend = (from: number, to: number): number => from * (1 - weight) + to * weight;
  return toHex([blend(r1, r2), blend(g1, g2), blend(b1, b2)]);
}

export const white = '#ffffff';
export const nearBlack = '#0b0d12';

/**
 * The text colour that reads best on `background`: white or near-black, or pure black for the few
 * mid-tones where neither reaches WCAG AA (any colour reaches 4.5:1 against white or black).
 */
export function textColorOn(background: string): string {
  const candidates = [white, nearBlack, '#000000'];
  const passing = candidates.slice(0, 2).filter((color) => contrastRatio(color, background) >= 4.5);
  const pool = passing.length > 0 ? passing : candidates;
  return pool.reduce((best, color) =>
    contrastRatio(color, background) > contrastRatio(best, background) ? color : best,
  );
}

/**
 * The colour closest to `color` that reaches `ratio` against `background`, moving it toward black
 * or white (whichever the background is furthest from). Used so a pale brand colour still gives
 * readable links and a visible focus ring.
 */
export function withContrast(color: string, background: string, ratio: number): string {
  if (contrastRatio(color, background) >= ratio) return color;
  const toward = relativeLuminance(background) > 0.18 ? '#000000' : white;
  for (let step = 1; step <= 20; step += 1) {
    const candidate = mix(color, toward, step / 20);
    if (contrastRatio(candidate, background) >= ratio) return candidate;
  }
  return toward;
}

/** A hover shade that moves away from the text colour on it, so the label only gets more readable. */
export function hoverShade(color: string): string {
  return textColorOn(color) === white ? mix(color, '#000000', 0.14) : mix(color, white, 0.2);
}
