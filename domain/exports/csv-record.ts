/**
 * CSV records laid out directly, byte for byte what csv-stringify 6 wrote with the options the csv
 * export gave it (`,` delimiter, `"` quote and escape, `record_delimiter: '\r\n'`, no forced
 * quoting): a field is quoted when it holds a quote, a comma or a CRLF, and its quotes are doubled;
 * an empty or missing field is empty. A lone LF or CR inside a field is not quoted: csv-stringify
 * turns `quote_record_delimiter` off whenever a record delimiter is given, and files are reproduced
 * as they were (a unit test compares this with csv-stringify on random fields, character for
 * character). Laid out here so the csv writer can hand the output 64 KB of records at a time:
 * csv-stringify's stream emits every record as a chunk of its own through every stream of the
 * output (hash, size guard, md5, file).
 */

const NEEDS_QUOTES = /[",]|\r\n/;
const QUOTE = /"/g;

/** One field's text as it appears in the file. */
export const csvField = (text: string): string =>
  NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTE, '""')}"` : text;

export const CSV_DELIMITER = ',';
export const CSV_RECORD_END = '\r\n';

/** One record, its CRLF included; null or undefined fields are empty. */
export function csvRecord(fields: readonly (string | null | undefined)[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (i > 0) line += CSV_DELIMITER;
    if (f !== null && f !== undefined) line += csvField(f);
  }
  return line + CSV_RECORD_END;
}
