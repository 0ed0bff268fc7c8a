/** Which part of a request a refusal is about, so an API can point at it. */
export type BusinessInputField = 'name' | 'slug' | 'roles' | 'member';

/** Input refused before anything changed; the message says why, in words fit for the caller. */
export class InvalidBusinessInputError extends Error {
  readonly field: BusinessInputField;
  constructor(field: BusinessInputField, message: string) {
    super(message);
    this.name = 'InvalidBusinessInputError';
    this.field = field;
  }
}

/** Another business already has this slug. */
export class SlugTakenError extends Error {
  readonly slug: string;
  constructor(slug: string) {
    super(`the slug ${slug} is already taken`);
    this.name = 'SlugTakenError';
    this.slug = slug;
  }
}

/** No business has this id (or slug). */
export class UnknownBusinessError extends Error {
  readonly reference: string;
  constructor(reference: string) {
    super(`no business ${reference}`);
    this.name = 'UnknownBusinessError';
    this.reference = reference;
  }
}

/** The person to add has no account: memberships only link existing accounts. */
export class UnknownAccountError extends Error {
  constructor(description: string) {
    super(`no account ${description}`);
    this.name = 'UnknownAccountError';
  }
}
