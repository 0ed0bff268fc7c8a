import { type Logger, pino } from 'pino';

/** Header and field names whose values must never reach a log line. */
const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.client_secret',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.code',
];

interface LoggedRequest {
  method: string;
  url: string;
  id: string;
  ip?: string;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: {
      // Query strings carry codes, signatures and tokens: log the path and parameter names only.
      req: (request: LoggedRequest) => {
        const [pathname, query] = request.url.split('?', 2);
        const names = query ? [...new URLSearchParams(query).keys()] : [];
        return {
          id: request.id,
          method: request.method,
          path: pathname,
          ...(names.length > 0 ? { query: names } : {}),
          ip: request.ip,
        };
      },
    },
  });
}
