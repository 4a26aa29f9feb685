import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as SSF from 'ssf';
import { compileCellText, excelSerial } from '../../../domain/exports/cell-text';
import type { ExportColumn } from '../../../domain/metadata/export-column';
import { mulberry32 as random } from '../../../domain/shared/prng';

const column = (type: ExportColumn['type'], format?: string): ExportColumn => ({
  key: 'c',
  header: 'C',
  type,
  ...(format ? { format } : {}),
});

/** The cell text is ssf's to the character, on the fast paths too. */
function sameAsSsf(col: ExportColumn, values: number[]): void {
  const text = compileCellText(col);
  const format = col.format!;
  for (const v of values) assert.equal(text(v), SSF.format(format, v), `${format} of ${v}`);
}

describe('cell text: the csv text of a cell is what ssf (Excel) shows', () => {
  it('dates and datetimes of whole seconds, 1900 to 9999, day edges and the 1900 quirks', () => {
    const next = random(16);
    const values: number[] = [];
    const edges = [0, 1, 59, 60, 61, 1000, 25_569, 46_000, 2_958_465];
    for (const day of edges) for (const s of [0, 1, 59, 3599, 43_200, 86_399]) values.push(day + s / 86_400);
    for (let i = 0; i < 50_000; i++) {
      // Wall-clock milliseconds of whole seconds, as cell-format makes them.
      const ms = Math.floor((next() * 8_100 * 365.25 - 25_568) * 86_400) * 1000;
      const serial = excelSerial(ms);
      if (serial !== null) values.push(serial);
    }
    sameAsSsf(column('datetime', 'yyyy-mm-dd hh:mm:ss'), values);
    sameAsSsf(column('datetime', 'yyyy-mm-dd'), values);
    sameAsSsf(column('date', 'yyyy-mm-dd'), values.map(Math.floor));
    // Fractions of a second go to ssf, which rounds them as Excel does.
    sameAsSsf(column('datetime', 'yyyy-mm-dd hh:mm:ss'), [46_000.999_999_9, 46_000.5 + 0.4 / 86_400]);
  });

  it('fixed decimals (0.00, 0.0, 0.000) of every size and sign, halves included', () => {
    const next = random(7);
    const values = [
      0,
      -0,
      0.005,
      -0.005,
      1.005,
      -1.005,
      2.5,
      -2.5,
      0.125,
      -0.125,
      8.345,
      1e14 + 0.5,
      -1e14,
      1e15,
      1e20,
    ];
    for (let i = 0; i < 50_000; i++) {
      const magnitude = 10 ** Math.floor(next() * 16 - 4);
      const v = (next() - 0.5) * 2 * magnitude;
      values.push(v, Math.round(v * 1000) / 1000, Math.round(v * 200) / 200);
    }
    for (const f of ['0.00', '0.0', '0.000']) sameAsSsf(column('decimal', f), values);
  });
});
