import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateExportColumns } from '../../../domain/metadata/export-column';
import { isDomainError } from '../../../domain/shared/errors';

const rejects = (input: unknown, field: string) =>
  assert.throws(
    () => validateExportColumns(input),
    (e: unknown) =>
      isDomainError(e) &&
      e.kind === 'VALIDATION' &&
      e.code === 'INVALID_EXPORT_COLUMNS' &&
      e.data?.field === field &&
      e.message.startsWith(field),
  );

const ok = { key: 'order_no', header: 'Order No', type: 'string' };

describe('validateExportColumns', () => {
  it('accepts the API example and keeps every field', () => {
    const columns = validateExportColumns([
      ok,
      { key: 'amount', header: 'Amount', type: 'decimal', format: '0.00', restricted: true, width: 12 },
      { key: 'buyer_phone', header: 'Phone', type: 'string', mask: 'phone', restricted: true },
      { key: 'status', header: 'Status', type: 'string', dict: { '1': 'Paid', '2': 'Shipped' } },
    ]);
    assert.equal(columns.length, 4);
    assert.deepEqual(columns[1], {
      key: 'amount',
      header: 'Amount',
      type: 'decimal',
      format: '0.00',
      restricted: true,
      width: 12,
    });
    assert.equal(columns[2].mask, 'phone');
    assert.equal(columns[3].dict?.['2'], 'Shipped');
    // The dictionary copy has no prototype: a value "constructor" finds no inherited label.
    assert.equal(Object.getPrototypeOf(columns[3].dict), null);
  });

  it('names the path of the first bad field', () => {
    rejects('x', 'columns');
    rejects([], 'columns');
    rejects([ok, 5], 'columns[1]');
    rejects([ok, { ...ok, key: 'b', type: 'money' }], 'columns[1].type');
    rejects([ok, { ...ok, key: 'Bad' }], 'columns[1].key');
    rejects([{ ...ok, key: '1a' }], 'columns[0].key');
    rejects([{ ...ok, key: 'a'.repeat(65) }], 'columns[0].key');
    rejects([ok, { ...ok }], 'columns[1].key'); // duplicate
    rejects([{ ...ok, header: '' }], 'columns[0].header');
    rejects([{ ...ok, header: '   ' }], 'columns[0].header');
    rejects([{ ...ok, header: 'x'.repeat(129) }], 'columns[0].header');
    rejects([{ ...ok, header: 'a\nb' }], 'columns[0].header');
    rejects([{ ...ok, mask: 'ssn' }], 'columns[0].mask');
    rejects([{ ...ok, dict: { '1': 1 } }], 'columns[0].dict.1');
    rejects([{ ...ok, dict: ['a'] }], 'columns[0].dict');
    rejects([{ ...ok, format: 7 }], 'columns[0].format');
    rejects([{ ...ok, restricted: 'yes' }], 'columns[0].restricted');
    rejects([{ ...ok, width: 0 }], 'columns[0].width');
    rejects([{ ...ok, fromat: '0.00' }], 'columns[0].fromat');
  });

  it('allows 200 columns and no more', () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: `c${i}`, header: `C${i}`, type: 'string' }));
    assert.equal(validateExportColumns(many(200)).length, 200);
    rejects(many(201), 'columns');
  });

  it('accepts a 128-character header and a 64-character key', () => {
    const [c] = validateExportColumns([{ key: 'a'.repeat(64), header: 'h'.repeat(128), type: 'boolean' }]);
    assert.equal(c.key.length, 64);
  });
});
