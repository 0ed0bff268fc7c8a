import { InvalidBusinessInputError } from './business-errors.ts';

export const maxBusinessNameLength = 200;

/** The name as stored: trimmed and NFC; refused when empty, too long or holding control characters. */
export function checkedBusinessName(name: string): string {
  const trimmed = name.trim().normalize('NFC');
  if (trimmed === '') throw new InvalidBusinessInputError('name', 'name must not be empty');
  if ([...trimmed].length > maxBusinessNameLength)
    throw new InvalidBusinessInputError('name', `name must have at most ${maxBusinessNameLength} characters`);
  if (/\p{Cc}/u.test(trimmed))
    throw new InvalidBusinessInputError('name', 'name must not contain control characters');
  return trimmed;
}
