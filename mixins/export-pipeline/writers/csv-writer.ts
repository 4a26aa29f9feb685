import type { Writable } from 'node:stream';
import { stringify, type Stringifier } from 'csv-stringify';
import { neutralizeFormula, type Cell } from '../../../domain/exports/cell-format';
import { compileCellText } from '../../../domain/exports/cell-text';
import type { TableWriterOptions } from '../../../domain/exports/export-pipeline.ports';
import { StreamTableWriter } from './stream-table-writer';

/**
 * CSV through csv-stringify's stream API: RFC 4180 (CRLF records, fields with a quote, comma or
 * line break quoted, quotes doubled). Cells arrive formatted and neutralised (the OWASP `'`
 * prefix); this only turns them into text by the column's number format, the one the xlsx cell
 * carries (cell-text.ts), because csv-stringify's own casts would write a boolean as "1"/"".
 */

type ToText = (cell: Exclude<Cell, null>) => string;

export class CsvTableWriter extends StreamTableWriter {
  private readonly stringifier: Stringifier;
  private readonly toText: ToText[];

  constructor(o: TableWriterOptions) {
    super(o, 'csv');
    this.toText = o.columns.map(compileCellText);
    this.stringifier = stringify({ bom: o.csvBom === true, record_delimiter: '\r\n' });
    this.stringifier.on('error', (err: Error) => this.watch.fail(err));
    this.stringifier.pipe(o.out as Writable);
    this.stringifier.write(o.columns.map((c) => neutralizeFormula(c.header)));
  }

  async write(rows: readonly Cell[][]): Promise<void> {
    this.assertOpen();
    this.watch.check();
    const toText = this.toText;
    const n = toText.length;
    for (const cells of rows) {
      const record = new Array<string | null>(n);
      for (let i = 0; i < n; i++) {
        const cell = cells[i];
        record[i] = cell === null || cell === undefined ? null : toText[i](cell);
      }
      this.rows += 1;
      if (!this.stringifier.write(record)) await this.watch.wait(this.stringifier, 'drain');
    }
  }

  protected async complete(): Promise<void> {
    const flushed = this.watch.wait(this.o.out, 'finish');
    this.stringifier.end();
    await flushed;
  }

  protected stop(): void {
    this.stringifier.unpipe(this.o.out);
    this.stringifier.destroy();
  }
}
