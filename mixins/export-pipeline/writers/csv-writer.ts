import type { Writable } from 'node:stream';
import { stringify, type Stringifier } from 'csv-stringify';
import { neutralizeFormula, type Cell } from '../../../domain/exports/cell-format';
import type { ExportColumn } from '../../../domain/metadata/export-column';
import { conflict } from '../../../domain/shared/errors';
import { destroyOutput, OutputWatch } from '../output-watch';
import type { TableWriter, TableWriterOptions } from '../../../domain/exports/export-pipeline.ports';

/**
 * CSV through csv-stringify's stream API: RFC 4180 (CRLF records, fields with a quote, comma or
 * line break quoted, quotes doubled). Cells arrive formatted and neutralised; this only turns them
 * into text, because csv-stringify's own casts would write a boolean as "1"/"" and a Date as epoch
 * milliseconds.
 */

type ToText = (cell: Exclude<Cell, null>) => string;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A spreadsheet date format made only of yyyy/yy, mm, dd, hh, mm, ss and separators, as a UTC
 * formatter; null for anything richer (then the writer falls back to ISO-8601).
 */
export function simpleDateFormat(format: string): ((d: Date) => string) | null {
  const lower = format.toLowerCase();
  const tokens = lower.match(/yyyy|yy|mm|dd|hh|ss|[-/:. t]/g);
  if (!tokens || tokens.join('') !== lower) return null;
  const isField = (t: string) => /^[a-z]{2}/.test(t);
  const fields = tokens.filter(isField);
  let fieldIndex = -1;
  const parts = tokens.map((t): ((d: Date) => string) | string => {
    if (!isField(t)) return t === 't' ? 'T' : t;
    fieldIndex += 1;
    switch (t) {
      case 'yyyy':
        return (d) => pad(d.getUTCFullYear(), 4);
      case 'yy':
        return (d) => pad(d.getUTCFullYear() % 100);
      case 'dd':
        return (d) => pad(d.getUTCDate());
      case 'hh':
        return (d) => pad(d.getUTCHours());
      case 'ss':
        return (d) => pad(d.getUTCSeconds());
      default: {
        // As in Excel: mm right after hh or right before ss is minutes, otherwise the month.
        const minutes = fields[fieldIndex - 1] === 'hh' || fields[fieldIndex + 1] === 'ss';
        return minutes ? (d) => pad(d.getUTCMinutes()) : (d) => pad(d.getUTCMonth() + 1);
      }
    }
  });
  return (d) => parts.map((p) => (typeof p === 'string' ? p : p(d))).join('');
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const isoDateTime = (d: Date) => d.toISOString();

function dateText(column: ExportColumn): (d: Date) => string {
  const custom = column.format === undefined ? null : simpleDateFormat(column.format);
  return custom ?? (column.type === 'date' ? isoDate : isoDateTime);
}

/** '0' or '0.00…': fixed decimals; anything else (thousands separators, currency) stays plain. */
function numberText(column: ExportColumn): (n: number) => string {
  const m = column.format === undefined ? null : /^0(?:\.(0+))?$/.exec(column.format);
  if (!m) return String;
  const decimals = m[1]?.length ?? 0;
  return (n) => (Math.abs(n) < 1e21 ? n.toFixed(decimals) : String(n));
}

function compileToText(column: ExportColumn): ToText {
  const ofDate = dateText(column);
  const ofNumber = numberText(column);
  return (cell) => {
    switch (typeof cell) {
      case 'string':
        return cell;
      case 'number':
        return ofNumber(cell);
      case 'boolean':
        return cell ? 'true' : 'false';
      default:
        return Number.isNaN(cell.getTime()) ? '' : ofDate(cell);
    }
  };
}

export class CsvTableWriter implements TableWriter {
  private readonly stringifier: Stringifier;
  private readonly watch: OutputWatch;
  private readonly toText: ToText[];
  private rows = 0;
  private state: 'open' | 'finishing' | 'done' | 'aborted' = 'open';

  constructor(private readonly o: TableWriterOptions) {
    this.toText = o.columns.map(compileToText);
    this.watch = new OutputWatch(o.out);
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

  async finish(): Promise<{ rows: number }> {
    this.assertOpen();
    this.state = 'finishing';
    try {
      this.watch.check();
      const flushed = this.watch.wait(this.o.out, 'finish');
      this.stringifier.end();
      await flushed;
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
    this.watch.fail(err ?? conflict('EXPORT_ABORTED', 'the export was aborted'));
    this.stringifier.unpipe(this.o.out);
    this.stringifier.destroy();
    destroyOutput(this.o.out, err);
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw conflict('EXPORT_WRITER_CLOSED', `the csv writer is ${this.state}`);
  }
}
