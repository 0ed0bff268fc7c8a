import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { type PasswordSource, promptHidden, readNewPassword } from '../../src/accounts/password-prompt.ts';

/** A fake terminal: records what is shown, and types each answer once its prompt has appeared. */
function terminal(answers: Array<{ after: string; type: string }>) {
  const input = new PassThrough();
  let shown = '';
  const pending = [...answers];
  const output = new Writable({
    write(chunk, _encoding, callback) {
      shown += String(chunk);
      const next = pending[0];
      if (next && shown.endsWith(next.after)) {
        pending.shift();
        setImmediate(() => input.write(next.type));
      }
      callback();
    },
  });
  return { input, output, shown: () => shown };
}

function piped(text: string): PasswordSource {
  return {
    interactive: false,
    input: new PassThrough(),
    output: new PassThrough(),
    readStdin: async () => text,
  };
}

describe('reading a new password from standard input', () => {
  it('drops exactly one trailing newline and keeps everything else', async () => {
    assert.equal(await readNewPassword(piped('s3cret words\n')), 's3cret words');
    assert.equal(await readNewPassword(piped('s3cret words\r\n')), 's3cret words');
    assert.equal(await readNewPassword(piped('s3cret words')), 's3cret words');
    assert.equal(await readNewPassword(piped(' spaced out \n\n')), ' spaced out \n');
  });

  it('refuses an empty password', async () => {
    await assert.rejects(readNewPassword(piped('')), /no password/);
    await assert.rejects(readNewPassword(piped('\n')), /no password/);
  });
});

describe('prompting for a new password at a terminal', () => {
  it('asks twice and never echoes what is typed', async () => {
    const tty = terminal([
      { after: 'Password: ', type: 'typed secret 1\r' },
      { after: 'Repeat the password: ', type: 'typed secret 1\r' },
    ]);
    const password = await readNewPassword({
      interactive: true,
      ...tty,
      readStdin: async () => assert.fail('read stdin'),
    });
    assert.equal(password, 'typed secret 1');
    assert.equal(tty.shown(), 'Password: \nRepeat the password: \n');
  });

  it('honours backspace like a terminal does', async () => {
    const tty = terminal([{ after: 'Secret: ', type: 'abcx\x7fd\r' }]);
    assert.equal(await promptHidden('Secret: ', tty.input, tty.output), 'abcd');
  });

  it('refuses two different entries and an empty one', async () => {
    const differ = terminal([
      { after: 'Password: ', type: 'first entry\r' },
      { after: 'Repeat the password: ', type: 'second entry\r' },
    ]);
    await assert.rejects(
      readNewPassword({ interactive: true, ...differ, readStdin: async () => '' }),
      /differ/,
    );
    const empty = terminal([{ after: 'Password: ', type: '\r' }]);
    await assert.rejects(
      readNewPassword({ interactive: true, ...empty, readStdin: async () => '' }),
      /empty/,
    );
  });

  it('gives up on Ctrl+C and on the end of input instead of hanging', async () => {
    const interrupted = terminal([{ after: 'Secret: ', type: 'half\x03' }]);
    await assert.rejects(
      promptHidden('Secret: ', interrupted.input, interrupted.output),
      /no password entered/,
    );
    const ended = terminal([]);
    setImmediate(() => ended.input.end());
    await assert.rejects(promptHidden('Secret: ', ended.input, ended.output), /no password entered/);
  });
});
