import { HttpException } from '@nestjs/common';

/** The JSON body of every refusal: OAuth's error format (RFC 6749 §5.2, RFC 6750 §3). */
export interface GuichetErrorBody {
  error: string;
  error_description: string;
}

/**
 * A refused request: the status, the error code and the headers (`WWW-Authenticate`) the
 * guard already set on the response. Custom exception filters can read `code` and `headers`.
 */
export class GuichetHttpException extends HttpException {
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, description: string, headers: Record<string, string> = {}) {
    const body: GuichetErrorBody = { error: code, error_description: description };
    super(body, status);
    this.code = code;
    this.headers = headers;
  }
}
