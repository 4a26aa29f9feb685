import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogSearch } from '../../../domain/operation-log/log-search';
import { encodeCursor } from '../../../domain/shared/pagination';
import { isDomainError } from '../../../domain/shared/errors';
import { fullTextQuery } from '../../../mixins/operation-log/log.repository';

const code = (c: string) => (e: unknown) => isDomainError(e) && e.code === c;

describe('log search parameters', () => {
  it('parses every filter and the cursor', () => {
    const cursor = encodeCursor({ at: 1000, seq: 7 });
    const s = parseLogSearch({
      userId: 'u1',
      action: 'FILE_UPLOADED',
      targetId: 't1',
      bizType: 'invoice',
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
      q: '  invoice  ',
      limit: '50',
      cursor,
    });
    assert.equal(s.limit, 50);
    assert.equal(s.q, 'invoice');
    assert.deepEqual(s.after, { at: 1000, seq: 7 });
    assert.equal(s.from?.toISOString(), '2026-01-01T00:00:00.000Z');
  });

  it('defaults to 20 newest entries with no filter', () => {
    const s = parseLogSearch({});
    assert.equal(s.limit, 20);
    assert.equal(s.after, null);
    assert.equal(s.userId, null);
  });

  it('rejects bad input with 400 codes', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ limit: '0' }, 'VALIDATION_ERROR'],
      [{ limit: '201' }, 'VALIDATION_ERROR'],
      [{ limit: 'ten' }, 'VALIDATION_ERROR'],
      [{ from: 'yesterday' }, 'VALIDATION_ERROR'],
      [{ from: '2026-02-01', to: '2026-01-01' }, 'VALIDATION_ERROR'],
      [{ action: "x'; DROP TABLE" }, 'VALIDATION_ERROR'],
      [{ q: 'a' }, 'VALIDATION_ERROR'],
      [{ q: 'x'.repeat(201) }, 'VALIDATION_ERROR'],
      [{ cursor: 'not-a-cursor' }, 'INVALID_CURSOR'],
      [{ cursor: encodeCursor({ at: 'x', seq: 1 }) }, 'INVALID_CURSOR'],
      [{ userId: ['a', 'b'] }, 'VALIDATION_ERROR'],
    ];
    for (const [raw, c] of bad) assert.throws(() => parseLogSearch(raw), code(c), JSON.stringify(raw));
  });

  it('turns free text into a safe FULLTEXT boolean query', () => {
    assert.equal(fullTextQuery('Invoice  2026-11'), '+invoice* +2026* +11*');
    assert.equal(fullTextQuery('+"drop" -(x) @y*'), '+drop*');
    assert.equal(fullTextQuery('??'), null);
  });
});
