/** The resource server as described cannot be registered; the message says what to change. Changes nothing. */
export class ResourceServerInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceServerInputError';
  }
}

/** An audience names one resource server: registering it twice is refused rather than overwritten. */
export class ResourceServerExistsError extends Error {
  readonly audience: string;
  constructor(audience: string) {
    super(`a resource server with audience ${audience} already exists`);
    this.name = 'ResourceServerExistsError';
    this.audience = audience;
  }
}
