import { compareObjectKeys } from '../../ports/objects/object-key.ts';
import type { ObjectInfo } from '../../ports/objects/objects-port.ts';

export interface KeyMatch<R> {
  key: string;
  object?: ObjectInfo;
  record?: R;
}

/**
 * Walks the store's listing and the records side by side, both sorted by key, pairing what matches:
 * one pass over each, however many objects there are, with nothing held in memory but a page.
 */
export async function* mergeByKey<R extends { key: string }>(
  objects: AsyncIterable<ObjectInfo>,
  records: AsyncIterable<R>,
): AsyncGenerator<KeyMatch<R>> {
  const objectCursor = objects[Symbol.asyncIterator]();
  const recordCursor = records[Symbol.asyncIterator]();
  let object = await objectCursor.next();
  let record = await recordCursor.next();
  while (!object.done || !record.done) {
    const order = object.done ? 1 : record.done ? -1 : compareObjectKeys(object.value.key, record.value.key);
    if (order < 0 && !object.done) {
      yield { key: object.value.key, object: object.value };
      object = await objectCursor.next();
    } else if (order > 0 && !record.done) {
      yield { key: record.value.key, record: record.value };
      record = await recordCursor.next();
    } else if (!object.done && !record.done) {
      yield { key: object.value.key, object: object.value, record: record.value };
      object = await objectCursor.next();
      record = await recordCursor.next();
    }
  }
}
