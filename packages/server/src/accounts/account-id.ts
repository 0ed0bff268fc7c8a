import { newOpaqueId } from '../identifiers/opaque-id.ts';

/** `acc_` and 128 random bits in base32: unguessable, and says nothing about when or how many. */
export function newAccountId(): string {
  return newOpaqueId('acc');
}
