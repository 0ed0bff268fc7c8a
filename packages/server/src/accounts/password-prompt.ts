import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** Where a new password comes from: typed at a terminal, or piped in (scripts, secrets managers). */
export interface PasswordSource {
  /** True when a person is at a terminal: prompt twice without echo. Otherwise read standard input. */
  interactive: boolean;
  input: NodeJS.ReadableStream;
  /** Where prompts go; standard error, so standard output keeps only the command's result. */
  output: NodeJS.WritableStream;
  readStdin(): Promise<string>;
}

/** Asks one question and reads the answer without echoing what is typed. */
export async function promptHidden(
  question: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<string> {
  // readline echoes keystrokes to its own output: giving it one that discards everything hides them,
  // while terminal mode keeps line editing (backspace) working.
  const discard = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  const readline = createInterface({ input, output: discard, terminal: true, historySize: 0 });
  const cancel = new AbortController();
  // Ctrl+C (in raw mode it reaches readline, not the process) and end of input both abandon the question.
  readline.once('SIGINT', () => cancel.abort());
  readline.once('close', () => cancel.abort());
  output.write(question);
  try {
    return await readline.question('', { signal: cancel.signal });
  } catch (error) {
    if (cancel.signal.aborted) throw new Error('no password entered');
    throw error;
  } finally {
    readline.close();
    output.write('\n');
  }
}

/** Drops the one newline that `echo` or a file adds, and nothing else: spaces may be part of a password. */
function withoutTrailingNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/** Reads a password for a new account; refuses an empty one and, at a terminal, a mistyped repeat. */
export async function readNewPassword(source: PasswordSource): Promise<string> {
  if (!source.interactive) {
    const password = withoutTrailingNewline(await source.readStdin());
    if (password === '') throw new Error('no password on standard input');
    return password;
  }
  const password = await promptHidden('Password: ', source.input, source.output);
  if (password === '') throw new Error('the password must not be empty');
  const repeated = await promptHidden('Repeat the password: ', source.input, source.output);
  if (repeated !== password) throw new Error('the two passwords differ');
  return password;
}
