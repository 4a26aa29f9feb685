import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { startsLikeFormula, type Cell } from '../../../domain/exports/cell-format';
import { columnFormat } from '../../../domain/exports/cell-text';
import { columnWidths } from '../../../domain/exports/column-width';
import { RowXml, type CellKind } from '../../../domain/exports/xlsx-row-xml';
import type { ExportColumn } from '../../../domain/metadata/export-column';
import type { DrainableStream } from '../output-watch';
import { StreamTableWriter } from './stream-table-writer';
import { Utf8Batch } from './utf8-batch';
import { MAX_XLSX_DATA_ROWS, type TableWriterOptions } from '../../../domain/exports/export-pipeline.ports';
import { ExportErrors } from '../../../domain/exports/export.errors';

/**
 * The exceljs 4.4.0 streaming writer, bounded and reproducible.
 *
 * Bounded: exceljs pushes each sheet's XML into the zip without looking at backpressure, so a fast
 * producer and a slow upload pile up the whole file in memory. Every DRAIN_EVERY rows we wait for
 * the sheet's zip entry input to drain; the archiver → output pipe carries the upload's pace back.
 *
 * Reproducible: a re-run (a re-read chunk, a retried task) must give the same bytes, so the
 * workbook dates and every zip entry's timestamp come from `createdAt`, not the clock.
 *
 * Readable: columns as wide as their header, type and first SAMPLE_ROWS rows (held back until
 * then, as the widths precede the rows in the sheet XML); a bold header row, frozen, with an
 * autofilter over the data; each sheet of a rollover the same. Text a spreadsheet would evaluate
 * is a typed string with Excel's quote-prefix style: shown as it is, never turned into a formula
 * when edited (csv has no styles and keeps the visible `'`).
 *
 * Fast: exceljs writes the workbook, each sheet's head (columns, frozen pane, header row) and tail
 * (autofilter, page setup), and owns the styles; the data rows' XML is rendered here (RowXml, the
 * bytes exceljs would write, with style ids from exceljs's registry) and goes into the sheet's
 * stream DRAIN_EVERY rows at a time, exceljs's row counter moved on past them. exceljs's own row
 * path (Row, Cell, value and model objects and an XmlStream per row) was the largest cost.
 */

/** Rows between drain checks: ~100–500 KB of sheet XML, small against memory, rare against CPU. */
export const DRAIN_EVERY = 500;
/** Rows measured for the column widths: a screenful and more, held in memory only until then. */
export const SAMPLE_ROWS = 200;
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
interface StylesInternals {
  addStyleModel(model: unknown, cellType?: unknown): number;
  _addStyle(style: Record<string, unknown>): number;
  map: { style: { render(xmlStream: XmlStreamInternals, model: Record<string, unknown>): void } };
}
interface XmlStreamInternals {
  openNode: (name: string, attributes?: Record<string, unknown>) => void;
}
interface WorkbookInternals {
  zip: ArchiverInternals;
  created: Date;
  styles: StylesInternals;
}
interface SheetInternals {
  /** exceljs's StreamBuf for the sheet XML; pipes[0] is archiver's input for this zip entry. */
  stream: { pipes: DrainableStream[]; write(xml: Buffer): unknown };
  /** The number of the sheet's next row (every row before it is written). */
  _rowZero: number;
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

/** A style model with Excel's quote prefix, which exceljs 4.4.0 neither keeps nor writes. */
type QuotedStyle = Partial<ExcelJS.Style> & { quotePrefix?: true };

/**
 * Teaches this workbook's styles `quotePrefix`: a style model carrying it gets its own cell format
 * (`<xf … quotePrefix="1">`). Patched on the instance, so other workbooks and node_modules stay as
 * they are.
 */
function supportQuotePrefix(styles: StylesInternals): void {
  const addStyleModel = styles.addStyleModel.bind(styles);
  const addStyle = styles._addStyle.bind(styles);
  const xf = styles.map.style;
  const render = xf.render.bind(xf);
  let quoted = false;
  styles.addStyleModel = (model, cellType) => {
    quoted = (model as QuotedStyle | undefined)?.quotePrefix === true;
    try {
      return addStyleModel(model, cellType);
    } finally {
      quoted = false;
    }
  };
  styles._addStyle = (style) => addStyle(quoted ? { ...style, quotePrefix: true } : style);
  xf.render = (xmlStream, model) => {
    if (model.quotePrefix !== true) return render(xmlStream, model);
    // The attribute goes on the <xf> element itself, which render() opens first.
    const openNode = xmlStream.openNode;
    xmlStream.openNode = (name, attributes) => {
      xmlStream.openNode = openNode;
      openNode.call(xmlStream, name, { ...attributes, quotePrefix: '1' });
    };
    try {
      render(xmlStream, model);
    } finally {
      xmlStream.openNode = openNode;
    }
  };
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

export class XlsxTableWriter extends StreamTableWriter {
  private readonly workbook: ReproducibleWorkbookWriter;
  private readonly columns: readonly ExportColumn[];
  private readonly headers: string[];
  private readonly maxRowsPerSheet: number;
  /** One shared style object per column (exceljs caches style ids by object identity). */
  private readonly cellStyles: (Partial<ExcelJS.Style> | undefined)[];
  private readonly quoted: QuotedStyle = { quotePrefix: true };
  /**
   * The style of a cell without one, per value type: exceljs derives an unstyled cell's number
   * format from its type (General for numbers).
   */
  private readonly unstyled = { string: {}, number: {}, boolean: {} } as const;
  private readonly rowXml: RowXml;
  /** Data rows rendered since the last write into the sheet's stream. */
  private readonly batch = new Utf8Batch();
  private readonly headerStyles: QuotedStyle[];
  /** Rows held until SAMPLE_ROWS are seen or the file ends; null once the first sheet is open. */
  private sample: Cell[][] | null = [];
  private sheetColumns: Partial<ExcelJS.Column>[] = [];
  private sheet: ExcelJS.Worksheet | null = null;
  private sheetIndex = 0;
  private sheetRows = 0;
  private sinceDrain = 0;

  constructor(o: TableWriterOptions) {
    super(o, 'xlsx');
    this.columns = o.columns;
    this.maxRowsPerSheet = o.maxRowsPerSheet ?? MAX_XLSX_DATA_ROWS;
    if (!Number.isSafeInteger(this.maxRowsPerSheet) || this.maxRowsPerSheet < 1) {
      throw ExportErrors.invalidWriter('maxRowsPerSheet must be a positive integer');
    }
    this.maxRowsPerSheet = Math.min(this.maxRowsPerSheet, MAX_XLSX_DATA_ROWS);
    this.headers = o.columns.map((c) => c.header);
    const bold: QuotedStyle = { font: { bold: true } };
    const boldQuoted: QuotedStyle = { font: { bold: true }, quotePrefix: true };
    this.headerStyles = this.headers.map((h) => (startsLikeFormula(h) ? boldQuoted : bold));
    this.cellStyles = o.columns.map((c) => {
      const numFmt = columnFormat(c);
      return numFmt === undefined ? undefined : { numFmt };
    });

    const created = o.createdAt ?? new Date(0);
    this.workbook = new ReproducibleWorkbookWriter({
      stream: o.out as Writable,
      useStyles: true,
      useSharedStrings: false,
      created,
      modified: created,
      creator: 'File Task Center',
      lastModifiedBy: 'File Task Center',
    } as Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions>);
    supportQuotePrefix(this.internals.styles);
    this.rowXml = new RowXml(this.columns.length, (column, kind) => this.styleIdOf(column, kind));
    // exceljs listens for zip errors only while committing; earlier ones would crash the process.
    this.internals.zip.on('error', (err: Error) => this.watch.fail(err));
  }

  private get internals(): WorkbookInternals {
    return this.workbook as unknown as WorkbookInternals;
  }

  /** The style (and so its id) exceljs would give a column's cells of one kind, as it registers it. */
  private styleIdOf(column: number, kind: CellKind): number {
    const styles = this.internals.styles;
    switch (kind) {
      case 'string':
        return styles.addStyleModel(this.unstyled.string, ExcelJS.ValueType.String);
      case 'quoted':
        return styles.addStyleModel(this.quoted, ExcelJS.ValueType.String);
      case 'number':
        return styles.addStyleModel(
          this.cellStyles[column] ?? this.unstyled.number,
          ExcelJS.ValueType.Number,
        );
      case 'boolean':
        return styles.addStyleModel(
          this.cellStyles[column] ?? this.unstyled.boolean,
          ExcelJS.ValueType.Boolean,
        );
    }
  }

  private openSheet(): ExcelJS.Worksheet {
    this.sheetIndex += 1;
    const sheet = this.workbook.addWorksheet(sheetNameOf(this.o.sheetName, this.sheetIndex), {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    });
    sheet.columns = this.sheetColumns;
    const header = sheet.addRow(this.headers);
    for (let i = 0; i < this.headers.length; i++) header.getCell(i + 1).style = this.headerStyles[i];
    header.commit();
    this.sheet = sheet;
    this.sheetRows = 0;
    return sheet;
  }

  /** The sheet's autofilter covers the header and every data row it got. */
  private commitSheet(sheet: ExcelJS.Worksheet): void {
    this.flushRows(sheet);
    sheet.autoFilter = {
      from: { row: 1, column: 1 },
      to: {
        row: sheet === this.sheet ? this.sheetRows + 1 : this.maxRowsPerSheet + 1,
        column: this.columns.length,
      },
    };
    sheet.commit();
  }

  async write(rows: Iterable<readonly Cell[]>): Promise<void> {
    this.assertOpen();
    this.watch.check();
    await this.writeRows(rows);
  }

  /**
   * Rows into the sheet, synchronously but at a rollover and every DRAIN_EVERY rows: an await
   * per row (a promise and a microtask each) was most of this loop's own cost.
   */
  private async writeRows(rows: Iterable<readonly Cell[]>): Promise<void> {
    for (const cells of rows) {
      if (this.sample) {
        this.sample.push(cells as Cell[]);
        if (this.sample.length >= SAMPLE_ROWS) await this.flushSample();
        continue;
      }
      if (this.sheetRows === this.maxRowsPerSheet) await this.rollOver();
      const sheet = this.sheet as unknown as SheetInternals;
      this.addXml(this.rowXml.render(sheet._rowZero++, cells));
      this.sheetRows += 1;
      this.rows += 1;
      if (++this.sinceDrain >= DRAIN_EVERY) {
        this.sinceDrain = 0;
        this.flushRows(this.sheet!);
        await this.drain();
      }
    }
  }

  /** Sizes the columns from the rows held back, opens the first sheet and writes them. */
  private async flushSample(): Promise<void> {
    const sample = this.sample ?? [];
    this.sample = null;
    const widths = columnWidths(this.columns, this.headers, sample);
    this.sheetColumns = widths.map((width) => ({ width }));
    this.openSheet();
    await this.writeRows(sample);
  }

  private addXml(xml: string): void {
    if (this.batch.add(xml)) return;
    this.flushRows(this.sheet!);
    // A row larger than the whole batch buffer goes on by itself.
    if (!this.batch.add(xml)) this.sheetStream(this.sheet!).write(Buffer.from(xml));
  }

  /** Hands the rows rendered so far to the sheet's stream, where exceljs would have written them. */
  private flushRows(sheet: ExcelJS.Worksheet): void {
    const rows = this.batch.take();
    if (rows) this.sheetStream(sheet).write(rows);
  }

  private sheetStream(sheet: ExcelJS.Worksheet): SheetInternals['stream'] {
    return (sheet as unknown as SheetInternals).stream;
  }

  /** Waits while the current zip entry's input is over its high-water mark. */
  private async drain(): Promise<void> {
    const entryInput = (this.sheet as unknown as SheetInternals).stream.pipes[0];
    if (entryInput) await this.watch.drain(entryInput);
    else this.watch.check();
  }

  private async rollOver(): Promise<void> {
    const full = this.sheet!;
    this.flushRows(full);
    // The zip takes one entry at a time: the new sheet's input waits (and drains) until the full
    // sheet's entry is done, which drain() then waits for like any other backpressure.
    this.openSheet();
    this.commitSheet(full);
    await this.drain();
  }

  protected async complete(): Promise<void> {
    if (this.sample) await this.flushSample();
    this.commitSheet(this.sheet!);
    // Resolves on the output's 'finish': every byte is in the output stream.
    await Promise.race([this.workbook.commit(), this.watch.failed]);
  }

  protected stop(): void {
    this.sample = null;
    this.batch.clear();
    const zip = this.internals.zip;
    zip.unpipe(this.o.out);
    zip.abort();
  }
}
