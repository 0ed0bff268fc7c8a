/** The slice of a pino (or Fastify) logger this domain writes to: trouble it survives, never secrets. */
export interface BusinessesLogger {
  warn(details: object, message: string): void;
}

function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

/** Used when the caller passes no logger, so trouble is never silent. */
export const processWarningLogger: BusinessesLogger = {
  warn(details, message) {
    process.emitWarning(`${message} ${JSON.stringify(details, errorFields)}`);
  },
};
