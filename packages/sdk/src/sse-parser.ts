/** One message of a text/event-stream (WHATWG HTML, "server-sent events"). */
export interface SseMessage {
  /** The `event` field, 'message' when absent. */
  event: string;
  data: string;
  /** The last event id after this message (the stream's, carried over from earlier messages). */
  lastEventId: string | undefined;
}

export interface SseParser {
  /** Feeds decoded text; complete messages are delivered synchronously. */
  push(text: string): void;
  readonly lastEventId: string | undefined;
}

export interface SseParserHandlers {
  onMessage(message: SseMessage): void;
  /** A `retry:` field: the reconnection delay the server asks for, in ms. */
  onRetry?(delayMs: number): void;
}

/** A line (or a message's data) longer than this is dropped: the stream is ours, but memory is too. */
const maxBufferedChars = 256 * 1024;

/**
 * Incremental SSE parser: lines may end in LF, CR or CRLF and be split anywhere across chunks; comment
 * lines (`:`) are ignored; a blank line dispatches the message if it has data.
 */
export function createSseParser(handlers: SseParserHandlers, initialLastEventId?: string): SseParser {
  let pending = '';
  let skipLeadingLf = false;
  let firstChunk = true;
  let eventType = '';
  let data: string[] = [];
  let dataSize = 0;
  let lastEventId = initialLastEventId;
  let overflowed = false;
  let discardingLine = false;

  function dispatch(): void {
    if (data.length > 0 && !overflowed) {
      handlers.onMessage({ event: eventType || 'message', data: data.join('\n'), lastEventId });
    }
    eventType = '';
    data = [];
    dataSize = 0;
    overflowed = false;
  }

  function line(text: string): void {
    if (text.length === 0) {
      dispatch();
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        dataSize += value.length + 1;
        if (dataSize > maxBufferedChars) overflowed = true;
        else data.push(value);
        break;
      case 'id':
        // The spec ignores ids containing NUL.
        if (!value.includes('\0')) lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) handlers.onRetry?.(Number(value));
        break;
      default:
        break;
    }
  }

  return {
    get lastEventId() {
      return lastEventId;
    },
    push(text) {
      let chunk = text;
      if (firstChunk && chunk.length > 0) {
        firstChunk = false;
        if (chunk.startsWith('\uFEFF')) chunk = chunk.slice(1);
      }
      // A CR ending the previous chunk may be the first half of a CRLF.
      if (skipLeadingLf && chunk.startsWith('\n')) chunk = chunk.slice(1);
      skipLeadingLf = false;
      let start = 0;
      for (let index = 0; index < chunk.length; index += 1) {
        const char = chunk.charCodeAt(index);
        if (char !== 10 && char !== 13) continue;
        if (discardingLine) discardingLine = false;
        else line(pending + chunk.slice(start, index));
        pending = '';
        if (char === 13) {
          if (index + 1 === chunk.length) skipLeadingLf = true;
          else if (chunk.charCodeAt(index + 1) === 10) index += 1;
        }
        start = index + 1;
      }
      if (!discardingLine) pending += chunk.slice(start);
      if (pending.length > maxBufferedChars) {
        // An endless line: drop it up to its end, and the message it belongs to.
        pending = '';
        discardingLine = true;
        overflowed = true;
      }
    },
  };
}
