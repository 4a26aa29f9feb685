import type { Cell } from '../../../domain/exports/cell-format';
import type { TableWriter, TableWriterOptions } from '../../../domain/exports/export-pipeline.ports';
import { ExportErrors } from '../../../domain/exports/export.errors';
import { destroyOutput, OutputWatch } from '../output-watch';

/**
 * The lifecycle every format's writer shares: open → finishing → done, or aborted at any point,
 * with the output watched so no wait hangs on a failed upload. A format supplies only how its
 * encoder ends (`complete`) and how it is torn down (`stop`); finish() and abort() are here once.
 */
export abstract class StreamTableWriter implements TableWriter {
  protected readonly watch: OutputWatch;
  protected rows = 0;
  private state: 'open' | 'finishing' | 'done' | 'aborted' = 'open';

  constructor(
    protected readonly o: TableWriterOptions,
    private readonly format: string,
  ) {
    this.watch = new OutputWatch(o.out);
  }

  abstract write(rows: readonly Cell[][]): Promise<void>;

  /** Ends the encoder; resolves once every byte is in the output stream. */
  protected abstract complete(): Promise<void>;

  /** Detaches and destroys the encoder (the output itself is destroyed by abort()). */
  protected abstract stop(): void;

  async finish(): Promise<{ rows: number }> {
    this.assertOpen();
    this.state = 'finishing';
    try {
      this.watch.check();
      await this.complete();
      this.state = 'done';
      return { rows: this.rows };
    } catch (err) {
      await this.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  async abort(err?: Error): Promise<void> {
    if (this.state === 'done' || this.state === 'aborted') return;
    this.state = 'aborted';
    this.watch.fail(err ?? ExportErrors.aborted());
    this.stop();
    destroyOutput(this.o.out, err);
  }

  protected assertOpen(): void {
    if (this.state !== 'open') throw ExportErrors.writerClosed(this.format, this.state);
  }
}
