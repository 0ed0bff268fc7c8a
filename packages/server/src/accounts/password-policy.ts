export const minPasswordLength = 8;
/** Longer passwords are refused so that nobody can make the server hash megabytes. */
export const maxPasswordLength = 256;

/** Counts code points, not UTF-16 units, so an emoji counts as one character. */
function characterCount(text: string): number {
  return [...text].length;
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function checkPasswordPolicy(plain: string): string | undefined {
  const length = characterCount(plain);
  if (length < minPasswordLength) return `password must have at least ${minPasswordLength} characters`;
  if (length > maxPasswordLength) return `password must have at most ${maxPasswordLength} characters`;
  if (/^\s*$/u.test(plain)) return 'password must not be only whitespace';
  return undefined;
}

/** True when no account can have this password, so sign-in can refuse it without hashing. */
export function isTooLongToBeAPassword(plain: string): boolean {
  return plain.length > maxPasswordLength * 2 || characterCount(plain) > maxPasswordLength;
}
