import type { TableWriter, TableWriterOptions } from '../../../domain/exports/export-pipeline.ports';
import { CsvTableWriter } from './csv-writer';
import { XlsxTableWriter } from './xlsx-writer';
import { ExportErrors } from '../../../domain/exports/export.errors';

export type { TableWriter, TableWriterOptions };

/** The writer of a format: the one place that knows which class writes which format. */
export function createTableWriter(o: TableWriterOptions): TableWriter {
  switch (o.format) {
    case 'xlsx':
      return new XlsxTableWriter(o);
    case 'csv':
      return new CsvTableWriter(o);
    default:
      throw ExportErrors.invalidFormat(JSON.stringify(o.format));
  }
}
