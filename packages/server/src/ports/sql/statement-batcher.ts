/**
 * Gathers calls made in the same turn of the event loop into one statement: under load, N token
 * writes cost one round trip and one commit instead of N, which is most of their cost in PostgreSQL
 * and on the event loop. Each caller still resolves only once its own row is committed.
 */
export interface StatementBatcherOptions<Item, Result> {
  /** Runs one batch and resolves with one result per item, in the items' order. */
  run(items: Item[]): Promise<Result[]>;
  /** Items with the same key never share a batch (an upsert cannot touch one row twice). */
  key(item: Item): string;
  /** At most this many items per statement (200 by default). */
  maxBatch?: number;
  /**
   * At most this many batches in flight (2 by default); meanwhile calls gather into the next one, so
   * batches grow with the load instead of taking every pooled connection. Two measured best on the
   * refresh benchmark: four cost PostgreSQL a third more CPU per refresh, one added latency.
   */
  maxInFlight?: number;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** Calls gathered for one statement, not yet sent. */
interface OpenBatch<Item, Result> {
  waiting: Array<Waiting<Item, Result>>;
  keys: Set<string>;
}

export function createStatementBatcher<Item, Result>(
  options: StatementBatcherOptions<Item, Result>,
): (item: Item) => Promise<Result> {
  // Batches wait their turn here, oldest first; new calls join the newest unless it is full or
  // already holds their key.
  const { maxBatch = 200, maxInFlight = 2 } = options;
  const queue: Array<OpenBatch<Item, Result>> = [];
  let scheduled = false;
  let inFlight = 0;

  /** A failed batch is retried one item at a time, so one bad item fails only its own caller. */
  async function runAlone(waiting: Waiting<Item, Result>): Promise<void> {
    try {
      const [result] = await options.run([waiting.item]);
      waiting.resolve(result as Result);
    } catch (error) {
      waiting.reject(error);
    }
  }

  async function runBatch(batch: Array<Waiting<Item, Result>>): Promise<void> {
    inFlight += 1;
    try {
      let results: Result[];
      try {
        results = await options.run(batch.map((waiting) => waiting.item));
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          return;
        }
        await Promise.all(batch.map(runAlone));
        return;
      }
      batch.forEach((waiting, index) => {
        waiting.resolve(results[index] as Result);
      });
    } finally {
      inFlight -= 1;
      if (queue.length > 0) schedule();
    }
  }

  function flush(): void {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const next = queue.shift() as OpenBatch<Item, Result>;
      void runBatch(next.waiting);
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  function batchFor(key: string): OpenBatch<Item, Result> {
    const newest = queue.at(-1);
    // The same row twice: the second call waits for a later statement (two concurrent writes of
    // one row were never ordered, batched or not, but one statement cannot touch a row twice).
    if (newest !== undefined && newest.waiting.length < maxBatch && !newest.keys.has(key)) return newest;
    const fresh: OpenBatch<Item, Result> = { waiting: [], keys: new Set() };
    queue.push(fresh);
    return fresh;
  }

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      const key = options.key(item);
      const batch = batchFor(key);
      batch.waiting.push({ item, resolve, reject });
      batch.keys.add(key);
      schedule();
    });
}
