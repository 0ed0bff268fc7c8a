/** After this many attempts a variant is marked failed and left alone. */
export const maxVariantAttempts = 5;

/**
 * Seconds to wait before attempt `attempts + 1`: 10 s, 40 s, 160 s, 640 s, with up to 20 % jitter so
 * a store outage does not bring every retry back at the same instant.
 */
export function retryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  const base = 10 * 4 ** Math.max(0, attempts - 1);
  return Math.round(base * (1 + 0.2 * random()));
}
