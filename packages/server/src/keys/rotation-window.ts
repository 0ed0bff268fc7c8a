import { longestSignedTokenLifetime } from '../oidc/token-lifetimes.ts';

/**
 * Margin added to the longest token lifetime: covers clock skew between verifiers and the moments an
 * instance keeps signing with the old key before it hears of the rotation (at most one poll interval).
 */
export const rotationMarginSeconds = 600;

/**
 * How long a rotated-out key stays published by default: the longest lifetime of a token signed with
 * it (today the ID token's hour) plus the margin.
 */
export const defaultKeepPreviousSeconds = longestSignedTokenLifetime + rotationMarginSeconds;

/** A bound on the window, so a typo cannot keep an old key published for years. */
export const maxKeepPreviousSeconds = 30 * 24 * 60 * 60;

export function checkKeepPreviousSeconds(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > maxKeepPreviousSeconds) {
    throw new RangeError(
      `keepPreviousForSeconds must be a whole number of seconds from 0 to ${maxKeepPreviousSeconds}`,
    );
  }
  return seconds;
}
