import { randomUUID } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createConcurrencyLimit } from '../../runtime/concurrency-limit.ts';
import { InvalidObjectKeyError, ObjectNotFoundError } from './object-errors.ts';
import { assertSafeKey, compareObjectKeys } from './object-key.ts';
import type { ByteRange, ObjectInfo, ObjectsPort, PutOptions, SignedUrlOptions } from './objects-port.ts';
import { minimumSigningKeyBytes, signObjectUrl } from './url-signature.ts';

export interface FsObjectsOptions {
  /** Directory holding the objects; created when missing. */
  root: string;
  /** Public base URL of the server that mounts signedObjectRoutes, without a trailing slash. */
  publicBaseUrl: string;
  /** HMAC key for signed URLs, at least 32 bytes. */
  signingKey: Buffer;
}

const writeBufferBytes = 1024 * 1024;
/** How much an upload writes between two early flushes to disk (see earlyWriteback). */
const writebackStepBytes = 4 * 1024 * 1024;
/** Uploads in progress live here, on the same filesystem as the objects so rename is atomic. */
const tmpDirName = '.tmp';
/** Tries at moving an upload into place while concurrent deletes prune the directories it needs. */
const maxMoveAttempts = 5;
/** NAME_MAX of common filesystems (ext4, XFS, APFS): a longer segment cannot be a file name. */
const maxSegmentBytes = 255;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** ENOENT, or a path component that is a file (ENOTDIR): either way there is no such object. */
function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function checkRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0)
    throw new RangeError('range start must be a non-negative integer');
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new RangeError('range end must be an integer not below start');
  }
}

/**
 * Passes the bytes through and starts an fdatasync every `stepBytes`, one at a time, while the rest
 * is still arriving: the disk writes back during the upload, so the fsync before the rename finds
 * little left to do (about 10 ms less per 32 MiB loopback upload).
 */
function earlyWriteback(handle: FileHandle, stepBytes: number): Transform & { settled(): Promise<void> } {
  let passed = 0;
  let next = stepBytes;
  let inFlight: Promise<void> | undefined;
  let failure: unknown;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      passed += chunk.length;
      if (passed >= next && inFlight === undefined) {
        next = passed + stepBytes;
        inFlight = handle
          .datasync()
          .catch((error: unknown) => {
            failure = error;
          })
          .finally(() => {
            inFlight = undefined;
          });
      }
      callback(null, chunk);
    },
  });
  return Object.assign(stream, {
    async settled() {
      await inFlight;
      if (failure !== undefined) throw failure;
    },
  });
}

/** An upload still in `.tmp` after this long was cut short by a crash: nobody will rename it. */
const abandonedUploadMs = 60 * 60 * 1000;

/** A deleted object's bytes keep a name in `.tmp` under this prefix until the unlink after the answer. */
const deletedPrefix = 'deleted-';

/**
 * What a crash left in `.tmp`: deleted objects not yet unlinked (whatever their age) and abandoned
 * uploads.
 */
async function leftoversIn(tmpDir: string): Promise<{ deleted: string[]; abandoned: string[] }> {
  const cutOff = Date.now() - abandonedUploadMs;
  const deleted: string[] = [];
  const abandoned: string[] = [];
  for (const name of await fs.readdir(tmpDir)) {
    const file = path.join(tmpDir, name);
    if (name.startsWith(deletedPrefix)) {
      deleted.push(file);
      continue;
    }
    const stats = await fs.stat(file).catch(() => undefined);
    if (stats !== undefined && stats.mtimeMs < cutOff) abandoned.push(file);
  }
  return { deleted, abandoned };
}

/**
 * Objects as plain files under `root`. Limits worth knowing, beyond assertSafeKey:
 * - the content type is not stored, so head never returns one;
 * - a key cannot be both an object and a "directory" of other keys ('a' and 'a/b'), as a filesystem
 *   cannot hold both; such a put rejects with the filesystem error (EEXIST, ENOTDIR or EISDIR);
 * - path segments longer than 255 bytes and keys under '.tmp/' are refused as invalid keys.
 */
export async function createFsObjects(options: FsObjectsOptions): Promise<ObjectsPort> {
  const { publicBaseUrl, signingKey } = options;
  // Refused at startup rather than at the first signed URL.
  if (signingKey.length < minimumSigningKeyBytes) {
    throw new RangeError(`signingKey must be at least ${minimumSigningKeyBytes} bytes`);
  }
  await fs.mkdir(path.join(options.root, tmpDirName), { recursive: true });
  // The real path, so that a symlinked data dir still passes the containment checks below.
  const root = await fs.realpath(options.root);
  const tmpDir = path.join(root, tmpDirName);
  /** Unlinks still running after their delete answered; close waits for them. */
  const unlinking = new Set<Promise<void>>();
  // Two at a time: freeing a large file's blocks holds a thread-pool thread that uploads need too.
  const unlinkLimit = createConcurrencyLimit(2);
  function unlinkLater(file: string): void {
    const unlink = unlinkLimit
      .run(() => fs.unlink(file))
      .catch(() => {})
      .finally(() => unlinking.delete(unlink));
    unlinking.add(unlink);
  }
  const leftovers = await leftoversIn(tmpDir);
  for (const file of leftovers.abandoned) await fs.rm(file, { force: true, recursive: true });
  for (const file of leftovers.deleted) unlinkLater(file);

  function isInside(candidate: string): boolean {
    return candidate.startsWith(root + path.sep);
  }

  function pathFor(key: string): string {
    assertSafeKey(key);
    if (key === tmpDirName || key.startsWith(`${tmpDirName}/`)) {
      throw new InvalidObjectKeyError(`"${tmpDirName}" is reserved by the filesystem driver`);
    }
    const segments = key.split('/');
    if (segments.some((segment) => Buffer.byteLength(segment) > maxSegmentBytes)) {
      throw new InvalidObjectKeyError(
        `a path segment is longer than the filesystem's ${maxSegmentBytes} bytes`,
      );
    }
    const target = path.join(root, ...segments);
    if (!isInside(target)) throw new InvalidObjectKeyError('escapes the store');
    return target;
  }

  /** Defence in depth: a symlink planted inside the store must not lead outside it. */
  async function assertRealPathInside(existing: string, key: string): Promise<void> {
    const real = await fs.realpath(existing);
    if (real !== root && !isInside(real))
      throw new InvalidObjectKeyError(`${key}: resolves outside the store`);
  }

  async function syncDirectory(directory: string): Promise<void> {
    // Makes the rename itself durable; some platforms cannot open directories, which is harmless.
    try {
      const handle = await fs.open(directory, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {}
  }

  /** fsyncs each directory that gained an entry when mkdir made `firstCreated` down to `parent`. */
  async function syncCreatedDirectories(firstCreated: string, parent: string): Promise<void> {
    const top = path.dirname(firstCreated);
    for (let dir = path.dirname(parent); dir.length >= top.length; dir = path.dirname(dir)) {
      await syncDirectory(dir);
    }
  }

  async function moveIntoPlace(tmp: string, target: string, key: string): Promise<void> {
    // A concurrent delete of the last object under the same prefix prunes the parent directory it
    // leaves empty, anywhere between our mkdir and our rename: then mkdir, realpath or rename fail
    // with ENOENT, and the whole step is tried again.
    const parent = path.dirname(target);
    for (let attempt = 1; ; attempt++) {
      try {
        const firstCreated = await fs.mkdir(parent, { recursive: true });
        await assertRealPathInside(parent, key);
        await fs.rename(tmp, target);
        await syncDirectory(parent);
        // A directory made for this object must itself survive a crash.
        if (firstCreated !== undefined) await syncCreatedDirectories(firstCreated, parent);
        return;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT' || attempt >= maxMoveAttempts) throw error;
      }
    }
  }

  /**
   * Removes the directories a delete left empty, up to but not including the top-level one: the
   * top-level prefixes ('files', 'variants') are few and always reused, and pruning one would make
   * the next put create and fsync it again.
   */
  async function removeEmptyParents(target: string): Promise<void> {
    for (
      let dir = path.dirname(target);
      path.dirname(dir) !== root && isInside(dir);
      dir = path.dirname(dir)
    ) {
      try {
        await fs.rmdir(dir);
      } catch {
        return; // Not empty, already gone or busy: leave it.
      }
    }
  }

  async function* walk(directory: string, keyPrefix: string): AsyncGenerator<ObjectInfo> {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(directory, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    // Sorting siblings by name plus '/' for directories makes this depth-first walk yield keys in
    // global byte order: every key below 'a/' sorts between 'a-b' and 'a0', exactly like 'a/' does.
    const sortable = entries
      .filter((entry) => entry.isFile() || entry.isDirectory())
      .filter((entry) => !(keyPrefix === '' && entry.name === tmpDirName))
      .map((entry) => ({ entry, sortKey: entry.isDirectory() ? `${entry.name}/` : entry.name }))
      .sort((a, b) => compareObjectKeys(a.sortKey, b.sortKey));
    for (const { entry } of sortable) {
      const key = `${keyPrefix}${entry.name}`;
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        yield* walk(full, `${key}/`);
        continue;
      }
      try {
        const stats = await fs.stat(full);
        yield { key, size: stats.size, lastModified: stats.mtime };
      } catch (error) {
        if (!isMissing(error)) throw error; // Deleted while listing: skip it.
      }
    }
  }

  return {
    driver: 'fs',

    async put(key: string, body: Readable, putOptions?: PutOptions): Promise<{ size: number }> {
      const target = pathFor(key);
      // pipeline reports the body's errors, but only once attached: an earlier one must not go uncaught.
      body.on('error', () => {});
      const tmp = path.join(tmpDir, randomUUID());
      // Opened before streaming, so no failure of the body can race the creation of the file.
      const handle = await fs.open(tmp, 'wx', 0o600);
      try {
        // flush: fsync before close, so the renamed file never turns up empty after a crash. A 1 MiB
        // buffer lets the stream gather network-sized chunks into few large writev calls (about 1.4×
        // the throughput of the default on a loopback upload).
        const file = handle.createWriteStream({ flush: true, highWaterMark: writeBufferBytes });
        const writeback = earlyWriteback(handle, writebackStepBytes);
        await pipeline(body, writeback, file);
        await writeback.settled();
        const size = file.bytesWritten;
        if (putOptions?.size !== undefined && size !== putOptions.size) {
          throw new Error(`body is ${size} bytes, ${putOptions.size} were declared`);
        }
        await moveIntoPlace(tmp, target, key);
        return { size };
      } catch (error) {
        await fs.rm(tmp, { force: true });
        throw error;
      }
    },

    async get(key: string, range?: ByteRange): Promise<Readable> {
      const target = pathFor(key);
      if (range) checkRange(range);
      let handle: FileHandle;
      try {
        await assertRealPathInside(target, key);
        // Opening here makes a missing object reject this promise, not fail the stream later.
        handle = await fs.open(target, 'r');
      } catch (error) {
        if (isMissing(error)) throw new ObjectNotFoundError(key);
        throw error;
      }
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) throw new ObjectNotFoundError(key);
        if (range && range.start >= stats.size)
          throw new RangeError(`range starts beyond the ${stats.size} bytes`);
      } catch (error) {
        await handle.close();
        throw error;
      }
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    },

    async head(key: string): Promise<ObjectInfo | undefined> {
      const target = pathFor(key);
      try {
        await assertRealPathInside(target, key);
        const stats = await fs.stat(target);
        if (!stats.isFile()) return undefined;
        return { key, size: stats.size, lastModified: stats.mtime };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async delete(key: string): Promise<void> {
      const target = pathFor(key);
      const deleted = path.join(tmpDir, `${deletedPrefix}${randomUUID()}`);
      try {
        await assertRealPathInside(path.dirname(target), key);
        // link refuses a directory (a key that only names other keys is no object) in the same step
        // that keeps the bytes; removing the name then takes the object away at once, and freeing
        // its blocks (milliseconds for large files) waits until after the answer.
        await fs.link(target, deleted);
      } catch (error) {
        if (isMissing(error) || errorCode(error) === 'EPERM' || errorCode(error) === 'EISDIR') return;
        throw error;
      }
      try {
        await fs.unlink(target);
      } catch (error) {
        if (!isMissing(error)) throw error; // Deleted meanwhile by someone else: gone all the same.
      } finally {
        unlinkLater(deleted);
      }
      await removeEmptyParents(target);
    },

    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      // Start at the deepest directory the prefix fully names, instead of walking the whole store.
      const slash = prefix.lastIndexOf('/');
      const directoryKey = slash === -1 ? '' : prefix.slice(0, slash);
      let start = root;
      if (directoryKey !== '') {
        try {
          start = pathFor(directoryKey);
        } catch (error) {
          if (error instanceof InvalidObjectKeyError) return; // No valid key can start with it.
          throw error;
        }
      }
      for await (const info of walk(start, directoryKey === '' ? '' : `${directoryKey}/`)) {
        if (info.key.startsWith(prefix)) yield info;
      }
    },

    async signedUrl(method: 'GET' | 'PUT', key: string, urlOptions: SignedUrlOptions): Promise<string> {
      pathFor(key);
      if (!Number.isSafeInteger(urlOptions.expiresInSeconds) || urlOptions.expiresInSeconds <= 0) {
        throw new RangeError('expiresInSeconds must be a positive integer');
      }
      // The content type is not enforced: this driver does not store one.
      return signObjectUrl(
        {
          baseUrl: publicBaseUrl,
          key,
          method,
          expiresAt: new Date(Date.now() + urlOptions.expiresInSeconds * 1000),
          ...(method === 'PUT' && urlOptions.contentLength !== undefined
            ? { contentLength: urlOptions.contentLength }
            : {}),
          ...(method === 'PUT' && urlOptions.maxContentLength !== undefined
            ? { maxLength: urlOptions.maxContentLength }
            : {}),
        },
        signingKey,
      );
    },

    async clearTags(key: string): Promise<void> {
      // No tags are kept here; only the object's existence matters to the caller.
      try {
        await fs.stat(pathFor(key));
      } catch (error) {
        if (isMissing(error)) throw new ObjectNotFoundError(key);
        throw error;
      }
    },

    async ping(): Promise<void> {
      await fs.access(root, constants.W_OK);
      await fs.access(tmpDir, constants.W_OK);
    },

    async close(): Promise<void> {
      await Promise.all(unlinking);
    },
  };
}
