import DataLoader from 'dataloader';

export interface WriteBatcherOptions {
  /** Items in one flush at most. */
  maxBatch: number;
  /** Flushes running at once; items submitted meanwhile wait and go together in the next one. */
  parallel: number;
  /** How long a flush with a free slot waits for company (0: the next turn of the event loop). */
  lingerMs?: number;
  /**
   * When a whole flush throws (a constraint one item broke, a deadlock), flush each item alone, so one
   * bad item cannot fail the others; an item that fails alone gets its own error.
   */
  retryAlone?: boolean;
  /** Told every flush's size, and every flush that failed as a whole: for metrics. */
  observe?: { flushed(size: number): void; failed(err: unknown): void };
}

/**
 * Group commit for writes that many concurrent jobs make at once: the first item is flushed on the next
 * turn of the event loop (so an idle system adds no delay), and while `parallel` flushes are in flight the
 * items that arrive wait and are flushed together. Under load a flush carries many items in one
 * statement and one commit instead of one each, which is where the send path's Postgres time went.
 *
 * `flush` returns one result per item, in order; an Error in a slot fails only that item. DataLoader does
 * the queueing, the size cap and the per-item settling; this class only decides when a batch may go.
 */
export class WriteBatcher<I, O> {
  private readonly loader: DataLoader<I, O, I>;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    flush: (items: readonly I[]) => Promise<ReadonlyArray<O | Error>>,
    options: WriteBatcherOptions,
  ) {
    this.loader = new DataLoader<I, O, I>(
      async (items) => {
        options.observe?.flushed(items.length);
        try {
          return await flush(items);
        } catch (err) {
          options.observe?.failed(err);
          if (!options.retryAlone || items.length === 1) throw err;
          return this.oneByOne(flush, items);
        } finally {
          this.release();
        }
      },
      {
        cache: false,
        maxBatchSize: options.maxBatch,
        batchScheduleFn: (dispatch) => {
          // The slot is taken when the batch is scheduled, not when it runs, so batches scheduled in the
          // same turn cannot overshoot `parallel`.
          if (this.running < options.parallel) {
            this.running += 1;
            if (options.lingerMs) setTimeout(dispatch, options.lingerMs);
            else setImmediate(dispatch);
          } else {
            this.waiting.push(dispatch);
          }
        },
      },
    );
  }

  private async oneByOne(
    flush: (items: readonly I[]) => Promise<ReadonlyArray<O | Error>>,
    items: readonly I[],
  ): Promise<Array<O | Error>> {
    const results: Array<O | Error> = [];
    for (const item of items) {
      try {
        results.push((await flush([item]))[0]);
      } catch (err) {
        results.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return results;
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }

  submit(item: I): Promise<O> {
    return this.loader.load(item);
  }
}
