import { readFile } from 'node:fs/promises';
import { refusePrivateMembers } from './encryption-key.ts';
import { ResourceServerInputError } from './resource-server-errors.ts';

/** A JWK is a few kilobytes at most; a larger file is not one. */
const maxKeyFileBytes = 64 * 1024;

function parseJwk(text: string, from: string): object {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message may quote the text, which could be a private key: say where, not what.
    throw new ResourceServerInputError(`the encryption key in ${from} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ResourceServerInputError(`the encryption key in ${from} must be a JWK (a JSON object)`);
  }
  // Checked here too, so a private key given by mistake is not even sent to a remote server.
  refusePrivateMembers(parsed);
  return parsed;
}

/**
 * `--encryption-key`: a JWK as JSON text, or the path of a file holding one. Text starting with "{"
 * is JSON; anything else is a path. Refuses a private key at once; the rest is checked where it is stored.
 */
export async function readEncryptionKeyArgument(value: string): Promise<object> {
  if (value.trimStart().startsWith('{')) return parseJwk(value, 'the --encryption-key argument');
  let text: string;
  try {
    const content = await readFile(value);
    if (content.byteLength > maxKeyFileBytes) {
      throw new ResourceServerInputError(`${value} is larger than a JWK can be (${maxKeyFileBytes} bytes)`);
    }
    text = content.toString('utf8');
  } catch (error) {
    if (error instanceof ResourceServerInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ResourceServerInputError(
      `--encryption-key ${value} is neither a JWK (JSON text starting with "{") nor a readable file (${code})`,
    );
  }
  return parseJwk(text, value);
}
