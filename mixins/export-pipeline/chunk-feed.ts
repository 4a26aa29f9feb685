import type { KeyRange } from '../../domain/exports/data-handler.port';
import type { CellBatch } from '../../domain/exports/export-pipeline.ports';

export type ReadBatch = (range: KeyRange, chunkIndex: number) => Promise<CellBatch>;

/**
 * The batches of one chunk (key range), read one after another by cursor and buffered up to
 * `maxBuffered` ahead of the writer. Several feeds run at once on different export nodes; the
 * writer drains them in chunk order, so output order never depends on which node was faster.
 */
export class ChunkFeed {
  private readonly buffer: CellBatch[] = [];
  private done = false;
  private failure: Error | null = null;
  private wakeConsumer: (() => void) | null = null;
  private wakeProducer: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly range: KeyRange,
    private readonly index: number,
    private readonly read: ReadBatch,
    private readonly maxBuffered: number,
  ) {
    void this.produce();
  }

  private async produce(): Promise<void> {
    let after = this.range.after;
    try {
      for (;;) {
        while (this.buffer.length >= this.maxBuffered && !this.stopped) {
          await new Promise<void>((r) => (this.wakeProducer = r));
        }
        if (this.stopped) return;
        const batch = await this.read({ after, to: this.range.to }, this.index);
        this.buffer.push(batch);
        this.wakeConsumer?.();
        if (batch.next === null) break;
        after = batch.next;
      }
      this.done = true;
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
    }
    this.wakeConsumer?.();
  }

  /** The next batch in order, or null when the chunk is exhausted. */
  async next(): Promise<CellBatch | null> {
    for (;;) {
      const b = this.buffer.shift();
      if (b) {
        this.wakeProducer?.();
        return b;
      }
      if (this.failure) throw this.failure;
      if (this.done) return null;
      await new Promise<void>((r) => (this.wakeConsumer = r));
    }
  }

  stop(): void {
    this.stopped = true;
    this.wakeProducer?.();
  }
}
