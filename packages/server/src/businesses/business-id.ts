import { isOpaqueId, newOpaqueId } from '../identifiers/opaque-id.ts';

const businessIdPrefix = 'biz';

/** `biz_` and 128 random bits in base32: reveals neither how many businesses there are nor their order. */
export function newBusinessId(): string {
  return newOpaqueId(businessIdPrefix);
}

/**
 * Whether a reference names a business by id rather than by slug. Slugs never contain `_`, so the
 * two cannot be confused.
 */
export function looksLikeBusinessId(reference: string): boolean {
  return isOpaqueId(businessIdPrefix, reference);
}
