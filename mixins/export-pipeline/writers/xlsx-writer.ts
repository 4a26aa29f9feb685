import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { neutralizeFormula, type Cell } from '../../../domain/exports/cell-format';
import type { ExportColumn } from '../../../domain/metadata/export-column';
import { conflict } from '../../../domain/shared/errors';
import { destroyOutput, OutputWatch, type DrainableStream } from '../output-watch';
import {
  MAX_XLSX_DATA_ROWS,
  type TableWriter,
  type TableWriterOptions,
} from '../../../domain/exports/export-pipeline.ports';

/**
 * The exceljs 4.4.0 streaming writer, bounded and reproducible.
 *
 * Bounded: exceljs pushes each sheet's XML into the zip without looking at backpressure, so a fast
 * producer and a slow upload pile up the whole file in memory. Every DRAIN_EVERY rows we wait for
 * the sheet's zip entry input to drain; the archiver → output pipe carries the upload's pace back.
 *
 * Reproducible: a re-run (a re-read chunk, a retried task) must give the same bytes, so the
 * workbook dates and every zip entry's timestamp come from `createdAt`, not the clock.
 */

/** Rows between drain checks: ~100–500 KB of sheet XML, small against memory, rare against CPU. */
export const DRAIN_EVERY = 500;
const DEFAULT_FORMATS: Partial<Record<ExportColumn['type'], string>> = {
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm:ss',
};
const NUMBER_TYPES = new Set<ExportColumn['type']>(['integer', 'decimal', 'date', 'datetime']);
const MAX_SHEET_NAME = 31;

/** The parts of exceljs's WorkbookWriter and its archiver that its typings do not show. */
interface ZipEntryData {
  name: string;
  date?: Date;
}
interface ArchiverInternals extends EventEmitter {
  append(source: unknown, data: ZipEntryData): unknown;
  abort(): unknown;
  unpipe(destination?: unknown): unknown;
}
interface WorkbookInternals {
  zip: ArchiverInternals;
  created: Date;
}
interface SheetInternals {
  /** exceljs's StreamBuf for the sheet XML; pipes[0] is archiver's input for this zip entry. */
  stream: { pipes: DrainableStream[] };
}

const PINNED = Symbol('ftc.pinnedZipDates');

/** Every zip entry gets the workbook date instead of archiver's `new Date()`. */
function pinZipDates(workbook: WorkbookInternals): void {
  const zip = workbook.zip as ArchiverInternals & { [PINNED]?: true };
  if (zip[PINNED]) return;
  zip[PINNED] = true;
  const append = zip.append.bind(zip);
  zip.append = (source, data) => append(source, { ...data, date: workbook.created });
}

class ReproducibleWorkbookWriter extends ExcelJS.stream.xlsx.WorkbookWriter {
  // The base constructor creates the zip and then calls addThemes() before any entry is added:
  // the earliest point a subclass can reach the zip (node_modules stays untouched).
  override addThemes(): Promise<void> {
    pinZipDates(this as unknown as WorkbookInternals);
    return super.addThemes();
  }
}

/** Excel refuses names over 31 characters or with []:*?/\ in them. */
export function sheetNameOf(base: string | undefined, index: number): string {
  if (base === undefined || base.trim() === '') return `Sheet${index}`;
  const clean = base.replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, '');
  const suffix = index === 1 ? '' : ` (${index})`;
  return (clean.slice(0, MAX_SHEET_NAME - suffix.length) || 'Sheet') + suffix;
}

export class XlsxTableWriter implements TableWriter {
  private readonly workbook: ReproducibleWorkbookWriter;
  private readonly watch: OutputWatch;
  private readonly columns: readonly ExportColumn[];
  private readonly headers: string[];
  private readonly maxRowsPerSheet: number;
  /** One shared style object per column (exceljs caches style ids by object identity). */
  private readonly cellStyles: (Partial<ExcelJS.Style> | undefined)[] | null;
  private readonly sheetWidths: Partial<ExcelJS.Column>[] | null;
  private sheet!: ExcelJS.Worksheet;
  private sheetIndex = 0;
  private sheetRows = 0;
  private rows = 0;
  private sinceDrain = 0;
  private state: 'open' | 'finishing' | 'done' | 'aborted' = 'open';

  constructor(private readonly o: TableWriterOptions) {
    this.columns = o.columns;
    this.maxRowsPerSheet = o.maxRowsPerSheet ?? MAX_XLSX_DATA_ROWS;
    if (!Number.isSafeInteger(this.maxRowsPerSheet) || this.maxRowsPerSheet < 1) {
      throw conflict('INVALID_EXPORT_WRITER', 'maxRowsPerSheet must be a positive integer');
    }
    this.maxRowsPerSheet = Math.min(this.maxRowsPerSheet, MAX_XLSX_DATA_ROWS);
    this.headers = o.columns.map((c) => neutralizeFormula(c.header));

    const formats = o.columns.map((c) =>
      NUMBER_TYPES.has(c.type) ? (c.format ?? DEFAULT_FORMATS[c.type]) : undefined,
    );
    // Styles cost time per cell; without them exceljs still types numbers and dates (as mm-dd-yy).
    const useStyles = formats.some((f) => f !== undefined);
    const plain: Partial<ExcelJS.Style> = {};
    this.cellStyles = useStyles ? formats.map((numFmt) => (numFmt === undefined ? plain : { numFmt })) : null;
    this.sheetWidths = o.columns.some((c) => c.width !== undefined)
      ? o.columns.map((c) => (c.width === undefined ? {} : { width: c.width }))
      : null;

    this.watch = new OutputWatch(o.out);
    const created = o.createdAt ?? new Date(0);
    this.workbook = new ReproducibleWorkbookWriter({
      stream: o.out as Writable,
      useStyles,
      useSharedStrings: false,
      created,
      modified: created,
      creator: 'File Task Center',
      lastModifiedBy: 'File Task Center',
    } as Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions>);
    // exceljs listens for zip errors only while committing; earlier ones would crash the process.
    this.internals.zip.on('error', (err: Error) => this.watch.fail(err));
    this.openSheet();
  }

  private get internals(): WorkbookInternals {
    return this.workbook as unknown as WorkbookInternals;
  }

  private openSheet(): void {
    this.sheetIndex += 1;
    this.sheet = this.workbook.addWorksheet(sheetNameOf(this.o.sheetName, this.sheetIndex));
    if (this.sheetWidths) this.sheet.columns = this.sheetWidths;
    this.sheet.addRow(this.headers).commit();
    this.sheetRows = 0;
  }

  async write(rows: readonly Cell[][]): Promise<void> {
    this.assertOpen();
    this.watch.check();
    const styles = this.cellStyles;
    const n = this.columns.length;
    for (const cells of rows) {
      if (this.sheetRows === this.maxRowsPerSheet) await this.rollOver();
      const row = this.sheet.addRow(cells);
      if (styles) {
        for (let i = 0; i < n; i++) if (cells[i] !== null) row.getCell(i + 1).style = styles[i]!;
      }
      row.commit();
      this.sheetRows += 1;
      this.rows += 1;
      if (++this.sinceDrain >= DRAIN_EVERY) {
        this.sinceDrain = 0;
        await this.drain();
      }
    }
  }

  /** Waits while the current zip entry's input is over its high-water mark. */
  private async drain(): Promise<void> {
    const entryInput = (this.sheet as unknown as SheetInternals).stream.pipes[0];
    if (entryInput) await this.watch.drain(entryInput);
    else this.watch.check();
  }

  private async rollOver(): Promise<void> {
    const full = this.sheet;
    // The zip takes one entry at a time: the new sheet's input waits (and drains) until the full
    // sheet's entry is done, which drain() then waits for like any other backpressure.
    this.openSheet();
    full.commit();
    await this.drain();
  }

  async finish(): Promise<{ rows: number }> {
    this.assertOpen();
    this.state = 'finishing';
    try {
      this.watch.check();
      this.sheet.commit();
      // Resolves on the output's 'finish': every byte is in the output stream.
      await Promise.race([this.workbook.commit(), this.watch.failed]);
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
    const zip = this.internals.zip;
    zip.unpipe(this.o.out);
    zip.abort();
    destroyOutput(this.o.out, err);
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw conflict('EXPORT_WRITER_CLOSED', `the xlsx writer is ${this.state}`);
  }
}
