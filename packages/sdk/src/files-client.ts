import type { Readable } from 'node:stream';
import { fetchJson, type JsonAnswer, UpstreamError } from './fetch-json.ts';
import {
  type FileCommitFailure,
  FilesCommitError,
  type FilesProblem,
  FileTooLargeError,
  GuichetFilesError,
} from './files-errors.ts';
import { LocalLimitError, type PutAnswer, putStream, toReadable } from './files-put.ts';
import type {
  FileDownload,
  FilesClient,
  FileView,
  StageBody,
  StagedUpload,
  StageOptions,
} from './files-types.ts';
import { isRecord } from './is-record.ts';

export interface FilesClientOptions {
  /** Guichet's base URL (the issuer), without a trailing slash. */
  baseUrl: string;
  /** The person's access token, issued by Guichet. */
  accessToken: string;
  /** Timeout of each JSON request, in ms (the byte upload itself has none: abort it with a signal). */
  timeoutMs: number;
}

/** `POST /files/uploads` answer: where and how to send the bytes. */
interface UploadTicket {
  id: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}

/** A JSON answer is small; anything bigger is not Guichet speaking. */
const maxJsonBytes = 4 * 1024 * 1024;

function problemOf(body: unknown): FilesProblem | undefined {
  return isRecord(body) ? (body as FilesProblem) : undefined;
}

function detailOf(problem: FilesProblem | undefined, status: number): string {
  if (typeof problem?.detail === 'string') return problem.detail;
  if (typeof problem?.title === 'string') return problem.title;
  return `Guichet answered ${status}`;
}

function commitFailures(problem: FilesProblem | undefined): FileCommitFailure[] {
  const errors = problem?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter(
    (entry): entry is FileCommitFailure =>
      isRecord(entry) && typeof entry.id === 'string' && typeof entry.reason === 'string',
  );
}

/** The typed error for a non-2xx problem answer. */
function errorFor(status: number, body: unknown, maxBytes?: number): GuichetFilesError {
  const problem = problemOf(body);
  const detail = detailOf(problem, status);
  if (status === 413) {
    const max = typeof problem?.maxBytes === 'number' ? problem.maxBytes : maxBytes;
    return new FileTooLargeError(detail, max, problem);
  }
  const failures = commitFailures(problem);
  if (status === 422 && failures.length > 0) return new FilesCommitError(detail, failures, problem);
  return new GuichetFilesError(status, detail, problem);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isTicket(body: unknown): body is UploadTicket {
  return (
    isRecord(body) &&
    typeof body.id === 'string' &&
    typeof body.url === 'string' &&
    typeof body.maxBytes === 'number' &&
    (body.headers === undefined || isRecord(body.headers))
  );
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
}

/**
 * Guichet's files API for one access token. Prefer `guichet.files(accessToken)`; this is the same
 * client for code that has Guichet's URL but no `createGuichet` instance.
 */
export function createFilesClient(options: FilesClientOptions): FilesClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const authorization = `Bearer ${options.accessToken}`;
  const limits = { timeoutMs: options.timeoutMs, maxBytes: maxJsonBytes };

  /** Sends one JSON request; resolves with the answer's body when its status is one of `ok`. */
  async function expect(method: string, path: string, ok: number[], body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let answer: JsonAnswer;
    try {
      answer = await fetchJson(
        `${base}${path}`,
        { method, headers, body: body === undefined ? undefined : JSON.stringify(body) },
        limits,
      );
    } catch (error) {
      if (error instanceof UpstreamError) {
        throw new GuichetFilesError(error.status, error.message, undefined, { cause: error });
      }
      throw error;
    }
    if (!ok.includes(answer.status)) throw errorFor(answer.status, answer.body);
    return answer.body;
  }

  async function discardOne(id: string): Promise<void> {
    // 404: already gone, which is what a discard asks for.
    await expect('DELETE', `/files/uploads/${encodeURIComponent(id)}`, [200, 204, 404]);
  }

  async function sendBytes(ticket: UploadTicket, source: Readable, options: StageOptions): Promise<number> {
    const headers: Record<string, string> = { ...ticket.headers };
    if (
      options.size !== undefined &&
      !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')
    ) {
      headers['content-length'] = String(options.size);
    }
    let answer: PutAnswer;
    try {
      answer = await putStream(ticket.url, headers, source, {
        maxBytes: options.size ?? ticket.maxBytes,
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof LocalLimitError) {
        throw new FileTooLargeError(`the file exceeds ${error.limit} bytes`, ticket.maxBytes, undefined, {
          cause: error,
        });
      }
      if (options.signal?.aborted) throw abortReason(options.signal);
      const reason = error instanceof Error ? error.message : String(error);
      throw new GuichetFilesError(undefined, `sending the bytes failed: ${reason}`, undefined, {
        cause: error,
      });
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw errorFor(answer.status, parseJson(answer.text), ticket.maxBytes);
    }
    return answer.sent;
  }

  return {
    async stage(body: StageBody, stageOptions: StageOptions): Promise<StagedUpload> {
      const { purpose, filename, contentType, size, signal } = stageOptions;
      const source = toReadable(body);
      if (signal?.aborted) {
        source.destroy();
        throw abortReason(signal);
      }
      let created: unknown;
      try {
        // Not aborted midway: an upload Guichet created but never named to us would wait for the janitor.
        created = await expect('POST', '/files/uploads', [200, 201], {
          purpose,
          filename,
          size,
          contentType,
        });
      } catch (error) {
        source.destroy();
        throw error;
      }
      if (!isTicket(created)) {
        source.destroy();
        throw new GuichetFilesError(undefined, 'Guichet answered an upload without id, url or maxBytes');
      }
      try {
        stageOptions.onCreated?.(created.id);
        if (signal?.aborted) throw abortReason(signal);
        const sent = await sendBytes(created, source, stageOptions);
        return { id: created.id, filename, size: sent, purpose };
      } catch (error) {
        await discardOne(created.id).catch(() => undefined);
        throw error;
      }
    },

    async commit(ids: readonly string[]): Promise<FileView[]> {
      if (ids.length === 0) return [];
      const body = await expect('POST', '/files/commit', [200], { uploads: ids });
      if (!isRecord(body) || !Array.isArray(body.files)) {
        throw new GuichetFilesError(200, 'Guichet answered a commit without files');
      }
      return body.files as FileView[];
    },

    async discard(ids: readonly string[]): Promise<void> {
      const results = await Promise.allSettled(ids.map(discardOne));
      const failed = results.find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },

    async get(id: string, getOptions: { variant?: string } = {}): Promise<FileDownload> {
      const query =
        getOptions.variant === undefined ? '' : `?variant=${encodeURIComponent(getOptions.variant)}`;
      return (await expect('GET', `/files/${encodeURIComponent(id)}${query}`, [200])) as FileDownload;
    },

    async delete(id: string): Promise<void> {
      await expect('DELETE', `/files/${encodeURIComponent(id)}`, [200, 204]);
    },
  };
}
