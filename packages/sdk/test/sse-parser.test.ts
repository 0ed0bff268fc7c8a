import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSseParser, type SseMessage } from '../src/sse-parser.ts';

function parse(chunks: string[], initialId?: string): { messages: SseMessage[]; retries: number[] } {
  const messages: SseMessage[] = [];
  const retries: number[] = [];
  const parser = createSseParser(
    { onMessage: (message) => messages.push(message), onRetry: (ms) => retries.push(ms) },
    initialId,
  );
  for (const chunk of chunks) parser.push(chunk);
  return { messages, retries };
}

describe('SSE parser', () => {
  const stream = 'id: 7\nevent: session.ended\ndata: {"a":1}\n\n: keep-alive\n\nid: 8\ndata: x\ndata: y\n\n';

  it('reads fields, skips comments, joins multi-line data', () => {
    const { messages } = parse([stream]);
    assert.deepEqual(messages, [
      { event: 'session.ended', data: '{"a":1}', lastEventId: '7' },
      { event: 'message', data: 'x\ny', lastEventId: '8' },
    ]);
  });

  it('gives the same messages however the stream is cut into chunks', () => {
    const whole = parse([stream]).messages;
    for (let size = 1; size <= 7; size += 1) {
      const chunks: string[] = [];
      for (let index = 0; index < stream.length; index += size)
        chunks.push(stream.slice(index, index + size));
      assert.deepEqual(parse(chunks).messages, whole, `chunks of ${size}`);
    }
  });

  it('accepts CRLF and CR line endings, even a CRLF split across chunks', () => {
    const crlf = stream.replaceAll('\n', '\r\n');
    const cr = stream.replaceAll('\n', '\r');
    const whole = parse([stream]).messages;
    assert.deepEqual(parse([crlf]).messages, whole);
    assert.deepEqual(parse([cr]).messages, whole);
    const splitAt = crlf.indexOf('\r\n') + 1;
    assert.deepEqual(parse([crlf.slice(0, splitAt), crlf.slice(splitAt)]).messages, whole);
  });

  it('keeps the last event id across messages and from a previous connection', () => {
    const { messages } = parse(['data: a\n\nid: 3\ndata: b\n\ndata: c\n\n'], '2');
    assert.deepEqual(
      messages.map((message) => message.lastEventId),
      ['2', '3', '3'],
    );
  });

  it('does not dispatch a message without data, nor one cut before its blank line', () => {
    assert.deepEqual(parse(['id: 4\nevent: x\n\n', 'data: half']).messages, []);
  });

  it('reports retry, strips a BOM, ignores unknown fields and ids with NUL', () => {
    const { messages, retries } = parse(['\uFEFFretry: 1500\nfoo: bar\nid: a\0b\ndata:no-space\n\n']);
    assert.deepEqual(retries, [1500]);
    assert.deepEqual(messages, [{ event: 'message', data: 'no-space', lastEventId: undefined }]);
  });

  it('drops an endless line and its message, then carries on', () => {
    const huge = `data: ${'x'.repeat(300 * 1024)}`;
    const chunks = [huge.slice(0, 200_000), huge.slice(200_000), '\n\n', 'data: after\n\n'];
    assert.deepEqual(
      parse(chunks).messages.map((message) => message.data),
      ['after'],
    );
  });
});
