import { InvalidBusinessInputError } from './business-errors.ts';

/** Who a membership is about: an account id, or the email of an account (compared as sign-in does). */
export type MemberReference =
  | { accountId: string; email?: undefined }
  | { email: string; accountId?: undefined };

/**
 * The reference named by exactly one of the two fields; a typed error rather than a guess when a
 * caller (an API body, plain JavaScript) gives both or neither.
 */
export function toMemberReference(fields: {
  accountId?: string | undefined;
  email?: string | undefined;
}): MemberReference {
  const { accountId, email } = fields;
  if (accountId !== undefined && email === undefined) return { accountId };
  if (email !== undefined && accountId === undefined) return { email };
  throw new InvalidBusinessInputError('member', 'give either an account id or an email, not both or neither');
}

export function describeMemberReference(reference: MemberReference): string {
  return reference.accountId !== undefined ? reference.accountId : `with email ${reference.email}`;
}
