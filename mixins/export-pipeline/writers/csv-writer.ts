import { neutralizeFormula, type Cell } from '../../../domain/exports/cell-format';
import { compileCellText } from '../../../domain/exports/cell-text';
import { CSV_DELIMITER, CSV_RECORD_END, csvField, csvRecord } from '../../../domain/exports/csv-record';
import type { TableWriterOptions } from '../../../domain/exports/export-pipeline.ports';
import { StreamTableWriter } from './stream-table-writer';
import { Utf8Batch } from './utf8-batch';

/**
 * CSV (CRLF records; fields with a quote, comma, CR or LF quoted, quotes doubled:
 * csv-record.ts, RFC 4180). Cells arrive formatted and neutralised (the
 * OWASP `'` prefix); this only turns them into text by the column's number format, the one the xlsx
 * cell carries (cell-text.ts).
 *
 * Each record is laid out as one string and its UTF-8 written into a 64 KB buffer (utf8-batch.ts),
 * which goes to the output once full: the output is a chain of streams (hash, size guard, md5, file), and a write per
 * record, as csv-stringify's stream made, cost each of them a call per record (the profile of a
 * 1M-row export: csv-stringify and that stream machinery ~25 % of the node's time), while one
 * string for a whole batch costs more to flatten and encode than the records one by one.
 * Back-pressure is kept between the buffers.
 */

type ToText = (cell: Exclude<Cell, null>) => string;

/** Bytes per write: few writes per batch, and well inside a stream's buffers when it stalls. */
const CHUNK_BYTES = 64 * 1024;

export class CsvTableWriter extends StreamTableWriter {
  private readonly toText: ToText[];
  private readonly batch = new Utf8Batch(CHUNK_BYTES);

  constructor(o: TableWriterOptions) {
    super(o, 'csv');
    this.toText = o.columns.map(compileCellText);
    const header = csvRecord(o.columns.map((c) => neutralizeFormula(c.header)));
    // The UTF-8 BOM (EF BB BF) ahead of the header, as csv-stringify's `bom` wrote it.
    o.out.write(o.csvBom === true ? `\uFEFF${header}` : header);
  }

  async write(rows: readonly Cell[][]): Promise<void> {
    this.assertOpen();
    this.watch.check();
    const toText = this.toText;
    const n = toText.length;
    for (const cells of rows) {
      let line = '';
      for (let i = 0; i < n; i++) {
        if (i > 0) line += CSV_DELIMITER;
        const cell = cells[i];
        if (cell !== null && cell !== undefined) line += csvField(toText[i](cell));
      }
      line += CSV_RECORD_END;
      this.rows += 1;
      if (!this.batch.add(line)) {
        await this.flush();
        // A record larger than the whole buffer goes out on its own.
        if (!this.batch.add(line)) await this.put(Buffer.from(line));
      }
    }
    // Nothing is held back between batches: what was read is in the output before the next read.
    await this.flush();
  }

  private async flush(): Promise<void> {
    const bytes = this.batch.take();
    if (bytes) await this.put(bytes);
  }

  /** One write; waits while the output asks for a drain (or fails, whichever comes first). */
  private async put(bytes: Buffer): Promise<void> {
    this.watch.check();
    if (!this.o.out.write(bytes)) await this.watch.wait(this.o.out, 'drain');
  }

  protected async complete(): Promise<void> {
    const flushed = this.watch.wait(this.o.out, 'finish');
    this.o.out.end();
    await flushed;
  }

  protected stop(): void {
    // Nothing of its own to tear down: the text goes straight into the output, which abort() destroys.
  }
}
