import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileRowFormatter,
  formatRow,
  maskText,
  neutralizeFormula,
  parseUtcDate,
} from '../../../domain/exports/cell-format';
import type { ColumnType, ExportColumn } from '../../../domain/metadata/export-column';

const col = (type: ColumnType, extra: Partial<ExportColumn> = {}): ExportColumn => ({
  key: 'v',
  header: 'V',
  type,
  ...extra,
});
const one = (column: ExportColumn, v: unknown) => formatRow([column], { v })[0];

const PREFIXES = ['=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20'];

describe('formatRow', () => {
  it('gives one cell per column, in column order, null for missing values', () => {
    const columns = [col('string', { key: 'b' }), col('integer', { key: 'a' }), col('date', { key: 'c' })];
    assert.deepEqual(formatRow(columns, { a: 1, b: 'x', c: null }), ['x', 1, null]);
    assert.deepEqual(formatRow(columns, {}), [null, null, null]);
  });

  it('neutralises every formula prefix in raw text', () => {
    for (const p of PREFIXES) {
      assert.equal(one(col('string'), `${p}cmd`), `'${p}cmd`, JSON.stringify(p));
    }
    assert.equal(
      one(col('string'), '=HYPERLINK("http://evil.example","x")'),
      `'=HYPERLINK("http://evil.example","x")`,
    );
    assert.equal(one(col('string'), 'a=b'), 'a=b');
    assert.equal(one(col('string'), ' =1'), ' =1');
    assert.equal(one(col('string'), ''), '');
    assert.equal(neutralizeFormula("'=1"), "'=1"); // already quoted: left alone
  });

  it('neutralises every formula prefix in a dictionary label', () => {
    for (const p of PREFIXES) {
      const c = col('integer', { dict: { '1': `${p}label` } });
      assert.equal(one(c, 1), `'${p}label`, JSON.stringify(p));
    }
  });

  it('neutralises typed values that could not be parsed', () => {
    assert.equal(one(col('integer'), '=1+1'), "'=1+1");
    assert.equal(one(col('decimal'), '-abc'), "'-abc");
    assert.equal(one(col('date'), '@today'), "'@today");
    assert.equal(one(col('boolean'), '+maybe'), "'+maybe");
  });

  it('never touches numbers: negatives stay numbers', () => {
    assert.equal(one(col('integer'), -5), -5);
    assert.equal(one(col('integer'), '-5'), -5);
    assert.equal(one(col('decimal'), '-12.50'), -12.5);
    assert.equal(one(col('decimal'), '+3.25'), 3.25);
    assert.equal(one(col('decimal'), -0.01), -0.01);
    assert.equal(one(col('decimal'), '1.5e3'), 1500);
    assert.equal(one(col('decimal'), ' 42 '), 42);
  });

  it('keeps integers beyond 2^53 as text so no digit is lost', () => {
    assert.equal(one(col('integer'), '9007199254740991'), 9007199254740991);
    assert.equal(one(col('integer'), '9007199254740993'), '9007199254740993');
    assert.equal(one(col('integer'), 9007199254740993n), '9007199254740993');
    assert.equal(one(col('integer'), 42n), 42);
    assert.equal(one(col('integer'), '-202611240000000123'), "'-202611240000000123");
    assert.equal(one(col('integer'), 2 ** 60), String(2 ** 60));
    // More than 15 significant digits in a decimal would round in a spreadsheet.
    assert.equal(one(col('decimal'), '12345678901234.567'), '12345678901234.567');
    assert.equal(one(col('decimal'), '1234567890123.45'), 1234567890123.45);
    assert.equal(one(col('decimal'), '0.000000000000000001'), 1e-18);
    assert.equal(one(col('decimal'), Number.NaN), 'NaN');
    assert.equal(one(col('decimal'), -Infinity), "'-Infinity");
  });

  it('keeps long order numbers as text in string columns, whatever the source type', () => {
    assert.equal(one(col('string'), '202611240000000123'), '202611240000000123');
    assert.equal(one(col('string'), 202611240000000123n), '202611240000000123');
    assert.equal(one(col('string'), 12.5), '12.5');
    assert.equal(one(col('string'), true), 'true');
    assert.equal(one(col('string'), new Date('2026-01-02T03:04:05Z')), '2026-01-02T03:04:05.000Z');
    assert.equal(one(col('string'), { a: 1 }), '{"a":1}');
  });

  it('parses dates as UTC into Excel serials: Date, ISO strings, "YYYY-MM-DD HH:MM:SS", epoch ms', () => {
    const d = new Date('2026-11-24T10:20:30.000Z');
    const serial = 25569 + d.getTime() / 86_400_000;
    assert.equal(one(col('datetime'), d), serial);
    assert.equal(one(col('datetime'), '2026-11-24T10:20:30.000Z'), serial);
    assert.equal(one(col('datetime'), '2026-11-24 10:20:30'), serial);
    assert.equal(one(col('datetime'), '2026-11-24T18:20:30+08:00'), serial);
    assert.equal(one(col('datetime'), d.getTime()), serial);
    assert.equal(one(col('datetime'), d.getTime() + 999), serial, 'whole seconds: no display rounding');
    assert.equal(one(col('date'), '2026-11-24'), 25569 + Date.parse('2026-11-24T00:00:00Z') / 86_400_000);
    assert.deepEqual(parseUtcDate('2026-11-24 10:20:30.123456'), new Date('2026-11-24T10:20:30.123Z'));
    assert.equal(parseUtcDate('2026-02-30'), null);
    assert.equal(parseUtcDate('2026-13-01'), null);
    assert.equal(one(col('date'), 'yesterday'), 'yesterday');
    assert.equal(one(col('date'), new Date(Number.NaN)), null);
    assert.equal(one(col('date'), '  '), null);
  });

  it('reads booleans from booleans, 1/0 and common words', () => {
    assert.equal(one(col('boolean'), true), true);
    assert.equal(one(col('boolean'), 0), false);
    assert.equal(one(col('boolean'), 'YES'), true);
    assert.equal(one(col('boolean'), 'false'), false);
    assert.equal(one(col('boolean'), 'perhaps'), 'perhaps');
  });

  it('maps dictionary values and keeps unknown ones as their string', () => {
    const c = col('integer', { dict: { '1': 'Paid', '2': 'Shipped' } });
    assert.equal(one(c, 1), 'Paid');
    assert.equal(one(c, '2'), 'Shipped');
    assert.equal(one(c, 9), '9');
    assert.equal(one(c, 'constructor'), 'constructor');
    assert.equal(one(c, null), null);
  });

  it('masks the string form, always as a string', () => {
    assert.equal(one(col('string', { mask: 'phone' }), '13812341234'), '138****1234');
    assert.equal(one(col('string', { mask: 'phone' }), 13812341234), '138****1234');
    assert.equal(one(col('integer', { mask: 'bankcard' }), 6222021234567890), '************7890');
    assert.equal(one(col('string', { mask: 'email' }), 'alice@x.com'), 'a***@x.com');
    assert.equal(one(col('string', { mask: 'idcard' }), '110101199003071234'), '110101********1234');
    assert.equal(one(col('string', { mask: 'name' }), '欧阳娜娜'), '欧***');
    assert.equal(one(col('string', { mask: 'name' }), "Sean O'Brien"), 'S***********');
    // A masked value can start with a formula prefix too.
    assert.equal(one(col('string', { mask: 'phone' }), '+8613812341234'), "'+86*******1234");
    assert.equal(one(col('string', { mask: 'name' }), '=cmd'), "'=***");
  });

  it('masks short and empty inputs without revealing them', () => {
    assert.equal(maskText('phone', ''), '');
    assert.equal(maskText('phone', '1234'), '1**4');
    assert.equal(maskText('phone', '12'), '**');
    assert.equal(maskText('phone', '1234567'), '1*****7');
    assert.equal(maskText('idcard', '12345'), '1***5');
    assert.equal(maskText('bankcard', '1234'), '***4');
    assert.equal(maskText('bankcard', '123'), '***');
    assert.equal(maskText('email', 'a@x.com'), '***@x.com');
    assert.equal(maskText('email', '@x.com'), '***@x.com');
    assert.equal(maskText('email', 'no-at-sign'), 'n*********');
    assert.equal(maskText('name', '张'), '*');
    assert.equal(maskText('name', '张三'), '张*');
    assert.equal(maskText('name', '🎧x'), '🎧*');
    assert.equal(maskText('name', ''), '');
  });

  it('compiles once and formats a row per call', () => {
    const format = compileRowFormatter([col('integer', { key: 'id' }), col('string', { key: 'name' })]);
    assert.deepEqual(format({ id: '7', name: '-x' }), [7, "'-x"]);
    assert.deepEqual(format({ id: 8, name: 'y' }), [8, 'y']);
  });
});
