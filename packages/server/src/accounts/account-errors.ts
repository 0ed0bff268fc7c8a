/** Another account already has this address (compared trimmed, lower-cased, NFC). */
export class EmailTakenError extends Error {
  constructor() {
    super('an account with this email already exists');
    this.name = 'EmailTakenError';
  }
}

/** A field of a new account is refused; the message says why, in words fit for the caller. */
export class InvalidAccountInputError extends Error {
  readonly field: 'email' | 'name' | 'password';
  constructor(field: 'email' | 'name' | 'password', message: string) {
    super(message);
    this.name = 'InvalidAccountInputError';
    this.field = field;
  }
}
