/** The client as described cannot be registered; the message says what to change. Changes nothing. */
export class ClientInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientInputError';
  }
}

/** Public clients authenticate with PKCE alone: there is no secret to rotate. */
export class ClientHasNoSecretError extends Error {
  readonly clientId: string;
  constructor(clientId: string) {
    super(`client ${clientId} is public: it has no secret to rotate`);
    this.name = 'ClientHasNoSecretError';
    this.clientId = clientId;
  }
}
