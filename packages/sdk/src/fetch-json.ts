/** A request to Guichet failed: network, timeout, or an answer that is not the JSON expected. */
export class UpstreamError extends Error {
  /** HTTP status when Guichet answered at all. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UpstreamError';
    this.status = status;
  }
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Reads at most `maxBytes` of the body: a misbehaving server cannot make this process buffer more. */
async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new UpstreamError(`answer of ${declared} bytes exceeds ${maxBytes}`, response.status);
  }
  if (response.body === null) return '';
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new UpstreamError(`answer exceeds ${maxBytes} bytes`, response.status);
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Sends one request and reads a JSON answer of any status. Throws UpstreamError when there is no
 * answer in `timeoutMs`, or when a 2xx answer is not JSON; the messages name the URL's origin and
 * path, never credentials.
 */
export async function fetchJson(
  url: string,
  init: RequestInit,
  limits: { timeoutMs: number; maxBytes: number },
): Promise<JsonAnswer> {
  const where = `${new URL(url).origin}${new URL(url).pathname}`;
  let response: Response;
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    response = await fetch(url, { ...init, signal, redirect: 'error' });
  } catch (error) {
    const reason = signal.aborted ? `no answer in ${limits.timeoutMs} ms` : describe(error);
    throw new UpstreamError(`${where}: ${reason}`, undefined, { cause: error });
  }
  let text: string;
  try {
    text = await readLimited(response, limits.maxBytes);
  } catch (error) {
    if (error instanceof UpstreamError)
      throw new UpstreamError(`${where}: ${error.message}`, response.status);
    throw new UpstreamError(`${where}: answer cut short (${describe(error)})`, response.status, {
      cause: error,
    });
  }
  let body: unknown;
  try {
    body = text.length === 0 ? undefined : JSON.parse(text);
  } catch {
    if (response.ok) throw new UpstreamError(`${where}: answer is not JSON`, response.status);
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici wraps the useful reason (ECONNREFUSED...) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
