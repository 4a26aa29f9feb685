/**
 * CSV records laid out directly (RFC 4180): `,` delimiter, `"` quote and escape, CRLF records; a
 * field is quoted when it holds a quote, a comma, a CR or an LF, and its quotes are doubled; an
 * empty or missing field is empty. Byte for byte what csv-stringify 6 writes with
 * `record_delimiter: '\r\n', quoted_match: /[\r\n]/` (a unit test compares the two on random
 * fields). The csv export gave csv-stringify only the record delimiter until 2026-12-04, which
 * turns its quoting of line breaks off: a field with a lone LF or CR went out unquoted and split
 * its record in every reader that ends records at a bare LF. Laid out here so the csv writer can
 * hand the output 64 KB of records at a time: csv-stringify's stream emits every record as a chunk
 * of its own through every stream of the output (hash, size guard, md5, file).
 */

const NEEDS_QUOTES = /[",\r\n]/;
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
