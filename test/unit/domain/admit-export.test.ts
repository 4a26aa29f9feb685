import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admitExport, type ExportAdmission } from '../../../domain/exports/use-cases/admit-export';
import type { ExportRequest } from '../../../domain/exports/export-request';
import { parseBizType, type ExportBizType } from '../../../domain/metadata/biz-type';
import { DEMO_BIZ_TYPES } from '../../../mixins/demo/demo-biz-types';
import { DomainError } from '../../../domain/shared/errors';
import type { Principal } from '../../../domain/shared/principal';

const orders = DEMO_BIZ_TYPES.find((b) => b.code === 'order_export')!.definition;
const bizType = (rules: Record<string, unknown>) => {
  const raw = { ...orders, rules: { ...(orders.rules as object), ...rules } };
  return parseBizType('order_export', raw) as ExportBizType;
};
const user: Principal = { id: 'u1', username: 'bob', roles: [], unitId: null, kind: 'user' };
const req = { format: 'csv', filters: {}, columns: ['id'], timeZone: 'UTC' } as unknown as ExportRequest;

/** An admission whose count and source bound answer `rows` and `source`, recording the counts. */
function admission(rows: number, source: number | null | Error, usedRows = 0) {
  const counted: unknown[] = [];
  const a: ExportAdmission = {
    estimate: async (_b, scope) => {
      counted.push(scope);
      return rows;
    },
    sourceRows: async () => {
      if (source instanceof Error) throw source;
      return source;
    },
    quota: { rowsRequested: async () => usedRows },
    turns: { running: async () => [] },
    userConcurrency: 2,
    defaultTimeZone: null,
    logger: { warn: () => undefined },
  };
  return { a, counted };
}

const code = (e: unknown) => (e instanceof DomainError ? e.code : String(e));
const now = new Date('2026-12-04T03:00:00Z');

describe('admitExport: the request-time count only where it could refuse', () => {
  it('does not count when the whole source fits in rules.maxRows and there is no daily quota', async () => {
    const { a, counted } = admission(5, 900);
    const r = await admitExport(a, bizType({ maxRows: 1000 }), user, req, null, now);
    assert.equal(counted.length, 0);
    assert.equal(r.estimatedRows, null); // the run counts its own
  });

  it('counts, and refuses past maxRows, when the source may hold more than maxRows', async () => {
    const small = admission(5, 2000);
    assert.equal(
      (await admitExport(small.a, bizType({ maxRows: 1000 }), user, req, null, now)).estimatedRows,
      5,
    );
    assert.equal(small.counted.length, 1);
    const big = admission(1500, 2000);
    await assert.rejects(admitExport(big.a, bizType({ maxRows: 1000 }), user, req, null, now), (e) => {
      assert.equal(code(e), 'EXPORT_TOO_MANY_ROWS');
      return true;
    });
  });

  it('counts when the source size is unknown or its count failed', async () => {
    for (const source of [null, new Error('no export node')]) {
      const { a, counted } = admission(7, source);
      assert.equal((await admitExport(a, bizType({ maxRows: 1000 }), user, req, null, now)).estimatedRows, 7);
      assert.equal(counted.length, 1);
    }
  });

  it('counts under a daily quota however small the source, and refuses past it', async () => {
    const { a, counted } = admission(300, 900, 800);
    await assert.rejects(
      admitExport(a, bizType({ maxRows: 1000, dailyRowQuota: 1000 }), user, req, null, now),
      (e) => {
        assert.equal(code(e), 'EXPORT_QUOTA_EXCEEDED');
        return true;
      },
    );
    assert.equal(counted.length, 1);
  });

  it('counts on every request without a source bound (as before)', async () => {
    const { a, counted } = admission(5, 900);
    delete a.sourceRows;
    assert.equal((await admitExport(a, bizType({ maxRows: 1000 }), user, req, null, now)).estimatedRows, 5);
    assert.equal(counted.length, 1);
  });
});
