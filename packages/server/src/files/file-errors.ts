/** The purpose named by an upload or a command does not exist. */
export class UnknownPurposeError extends Error {
  constructor(name: string) {
    super(`no file purpose named "${name}"`);
    this.name = 'UnknownPurposeError';
  }
}

/** Input that breaks a rule of the files domain: the message says which. */
export class InvalidFileInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFileInputError';
  }
}

/** No such upload or file in the caller's business (whether it exists elsewhere is not said). */
export class FileNotFoundError extends Error {
  constructor(id: string) {
    super(`no file or upload ${id}`);
    this.name = 'FileNotFoundError';
  }
}

/** A declared size above what the purpose accepts. */
export class FileTooLargeError extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`the purpose accepts at most ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
    this.maxBytes = maxBytes;
  }
}
