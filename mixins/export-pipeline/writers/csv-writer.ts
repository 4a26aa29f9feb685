import { neutralizeFormula, type Cell } from '../../../domain/exports/cell-format';
import { compileCellText } from '../../../domain/exports/cell-text';
import { CSV_DELIMITER, CSV_RECORD_END, csvField, csvRecord } from '../../../domain/exports/csv-record';
import type { TableWriterOptions } from '../../../domain/exports/export-pipeline.ports';
import { StreamTableWriter } from './stream-table-writer';

/**
 * CSV (CRLF records; fields with a quote, comma or CRLF quoted, quotes doubled:
 * csv-record.ts, the bytes csv-stringify wrote before). Cells arrive formatted and neutralised (the
 * OWASP `'` prefix); this only turns them into text by the column's number format, the one the xlsx
 * cell carries (cell-text.ts).
 *
 * Rows are laid out into one string of up to FLUSH_CHARS and written at once: the output is a chain
 * of streams (hash, size guard, file), and a write per record, as csv-stringify's stream made, cost
 * each of them a call per record (the profile of a 1M-row export: csv-stringify and that stream
 * machinery ~25 % of the node's time). Back-pressure is kept between the pieces.
 */

type ToText = (cell: Exclude<Cell, null>) => string;

/** ~64 KB of text per write: few calls per batch, and well inside a stream's buffers when it stalls. */
const FLUSH_CHARS = 64 * 1024;

export class CsvTableWriter extends StreamTableWriter {
  private readonly toText: ToText[];

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
    let text = '';
    for (const cells of rows) {
      for (let i = 0; i < n; i++) {
        if (i > 0) text += CSV_DELIMITER;
        const cell = cells[i];
        if (cell !== null && cell !== undefined) text += csvField(toText[i](cell));
      }
      text += CSV_RECORD_END;
      this.rows += 1;
      if (text.length >= FLUSH_CHARS) {
        await this.put(text);
        text = '';
      }
    }
    if (text !== '') await this.put(text);
  }

  /** One write; waits while the output asks for a drain (or fails, whichever comes first). */
  private async put(text: string): Promise<void> {
    this.watch.check();
    if (!this.o.out.write(text)) await this.watch.wait(this.o.out, 'drain');
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
