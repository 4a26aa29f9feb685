interface Pending<T> {
  item: T;
  done: (e?: Error) => void;
}

/**
 * Group commit: writes that arrive while a transaction is in flight are stored together in the
 * next one (one statement per table, one commit, one fsync) instead of a transaction each. Every
 * caller's promise settles only after the transaction holding its item committed, so "written"
 * still means stored. When a batch fails, its items are written one by one, so each caller gets
 * its own item's outcome, exactly as without batching.
 */
export class GroupCommit<T> {
  private readonly queue: Pending<T>[] = [];
  private inFlight = 0;

  constructor(
    private readonly writeMany: (items: T[]) => Promise<void>,
    private readonly writeOne: (item: T) => Promise<void>,
    /** Transactions in flight at once: one commits while the next batch is written. */
    private readonly maxInFlight = 2,
    /** Items per transaction at most. */
    private readonly maxBatch = 100,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, done: (e) => (e === undefined ? resolve() : reject(e)) });
      // Writes that arrive in this same turn of the event loop join the first batch.
      if (this.inFlight < this.maxInFlight) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.inFlight++;
    try {
      while (this.queue.length > 0) await this.write(this.queue.splice(0, this.maxBatch));
    } finally {
      this.inFlight--;
    }
  }

  private async write(batch: Pending<T>[]): Promise<void> {
    if (batch.length > 1) {
      try {
        await this.writeMany(batch.map((p) => p.item));
        batch.forEach((p) => p.done());
        return;
      } catch {
        // Nothing of this batch was stored: each item again on its own, for its own outcome.
      }
    }
    for (const p of batch) {
      try {
        await this.writeOne(p.item);
        p.done();
      } catch (e) {
        p.done(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
}
