import { BadRequestException, type ValidationError } from '@nestjs/common';

/** A form ValidationPipe refused, with the messages of each field, to show next to the fields. */
export class FormInvalidException extends BadRequestException {
  readonly fields: Record<string, string[]>;

  constructor(fields: Record<string, string[]>) {
    super({ statusCode: 400, error: 'Bad Request', message: Object.values(fields).flat() });
    this.fields = fields;
  }

  /** ValidationPipe's `exceptionFactory`. */
  static fromValidationErrors(errors: ValidationError[]): FormInvalidException {
    const fields: Record<string, string[]> = {};
    for (const error of errors) {
      // One message per field, the first rule declared (decorators apply bottom-up, so it is listed
      // last): "must be a number" and "must be more than zero" together say little more.
      const first = Object.values(error.constraints ?? {}).at(-1);
      fields[error.property] = [first ?? `${error.property} is invalid`];
    }
    return new FormInvalidException(fields);
  }
}
