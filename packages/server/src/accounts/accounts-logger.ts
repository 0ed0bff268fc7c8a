/** The slice of a pino (or Fastify) logger this domain writes to: trouble it survives, never secrets. */
export interface AccountsLogger {
  warn(details: object, message: string): void;
}

/** Used when the caller passes no logger, so trouble is never silent. */
export const processWarningLogger: AccountsLogger = {
  warn(details, message) {
    process.emitWarning(`${message} ${JSON.stringify(details, errorFields)}`);
  },
};

function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
