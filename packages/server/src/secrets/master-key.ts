import { hkdfSync, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const masterKeyFileName = 'secret.key';

/**
 * Returns the master key: GUICHET_SECRET when set, otherwise the key generated once into the
 * data dir (created with mode 0600 so only the server's user can read it).
 */
export async function loadMasterKey(options: {
  secret: string | undefined;
  dataDir: string;
}): Promise<string> {
  if (options.secret !== undefined) return options.secret;
  const file = path.join(options.dataDir, masterKeyFileName);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const generated = randomBytes(32).toString('base64url');
  // Written whole under a private name, then linked into place: link() fails if the key exists, so
  // two processes starting at once cannot each keep a different key, and neither ever reads a
  // half-written file.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${generated}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, file);
    return generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(file, 'utf8')).trim();
  } finally {
    await unlink(draft);
  }
}

const derived = new Map<string, Buffer>();

/**
 * Purpose-bound subkeys, so a key leaked from one use never unlocks another. Derived once per
 * purpose: some callers sit on hot paths (client secrets are opened on every token request).
 */
export function deriveKey(masterKey: string, purpose: string, length = 32): Buffer {
  const id = `${masterKey}\u0000${purpose}\u0000${length}`;
  let key = derived.get(id);
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', masterKey, 'guichet', purpose, length));
    derived.set(id, key);
  }
  return key;
}
