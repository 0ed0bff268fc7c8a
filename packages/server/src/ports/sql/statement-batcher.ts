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
  /** At most this many items per statement. */
  maxBatch: number;
  /**
   * At most this many batches in flight; meanwhile calls gather into the next one, so batches grow
   * with the load instead of taking every pooled connection.
   */
  maxInFlight: number;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export function createStatementBatcher<Item, Result>(
  options: StatementBatcherOptions<Item, Result>,
): (item: Item) => Promise<Result> {
  const pending: Array<Waiting<Item, Result>> = [];
  let pendingKeys = new Set<string>();
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
      if (pending.length > 0) schedule();
    }
  }

  function take(): Array<Waiting<Item, Result>> {
    const batch = pending.splice(0, options.maxBatch);
    if (pending.length === 0) pendingKeys = new Set();
    else pendingKeys = new Set(pending.map((waiting) => options.key(waiting.item)));
    return batch;
  }

  function flush(): void {
    scheduled = false;
    while (pending.length > 0 && inFlight < options.maxInFlight) void runBatch(take());
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      const key = options.key(item);
      // The same row twice in one turn: what is gathered so far leaves first, without this item (two
      // concurrent writes of one row were never ordered, batched or not).
      while (pendingKeys.has(key)) void runBatch(take());
      pending.push({ item, resolve, reject });
      pendingKeys.add(key);
      schedule();
    });
}
