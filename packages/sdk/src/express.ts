import { authErrorResponse } from './error-response.ts';
import { GuichetAuthError } from './errors.ts';
import type { Guichet, GuichetAuthentication } from './guichet.ts';

/** The part of an Express (or plain Node) request the middleware reads and writes. */
export interface ExpressLikeRequest {
  headers: { authorization?: string | undefined };
  /** Set by the middleware once the request is authenticated. */
  guichet?: GuichetAuthentication;
}

/** The part of an Express (or plain Node) response the middleware uses to refuse a request. */
export interface ExpressLikeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
  headersSent?: boolean;
}

export type ExpressLikeNext = (error?: unknown) => void;

export interface GuichetExpressOptions {
  /** Scopes every request must carry (403 insufficient_scope otherwise). */
  scopes?: readonly string[];
}

/**
 * Express middleware (also Connect and plain `node:http`): authenticates the request, sets
 * `req.guichet`, and calls `next()`; otherwise answers 401, 403 or 503 itself with the RFC 6750
 * challenge. Unexpected errors go to `next(error)`. Typed structurally: no Express import.
 *
 * @example app.get('/me', guichetExpress(guichet), (req, res) => res.json(req.guichet));
 */
export function guichetExpress(
  guichet: Guichet,
  options: GuichetExpressOptions = {},
): (req: ExpressLikeRequest, res: ExpressLikeResponse, next: ExpressLikeNext) => void {
  const authenticateOptions = options.scopes === undefined ? {} : { scopes: [...options.scopes] };
  return (req, res, next) => {
    guichet.authenticate(req.headers.authorization, authenticateOptions).then(
      (authentication) => {
        req.guichet = authentication;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof GuichetAuthError) || res.headersSent === true) {
          next(error);
          return;
        }
        const response = authErrorResponse(error);
        res.statusCode = response.status;
        for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
        res.end(JSON.stringify(response.body));
      },
    );
  };
}
