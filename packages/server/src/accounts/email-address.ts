/** RFC 5321 limits: 64 for the local part, 254 for the whole address as it travels. */
const maxEmailLength = 254;
/**
 * One @, no whitespace or control characters, non-empty dot-separated domain labels. Deliberately
 * loose (internationalized addresses pass): only a confirmation mail proves an address works.
 */
const emailShape = /^[^\s@\p{Cc}]{1,64}@[^\s@.\p{Cc}]+(?:\.[^\s@.\p{Cc}]+)*$/u;

/** The address as stored for display: trimmed and NFC, case kept. */
export function displayEmail(email: string): string {
  return email.trim().normalize('NFC');
}

/** The key two spellings of one address share: trimmed, lower-cased, NFC. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase().normalize('NFC');
}

export function isPlausibleEmail(email: string): boolean {
  const shown = displayEmail(email);
  return shown.length <= maxEmailLength && emailShape.test(shown);
}
