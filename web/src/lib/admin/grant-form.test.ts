import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grantRequest } from './grant-form';

describe('console admin: grant form → request', () => {
  it('takes the subject of the chosen type, orders actions and keeps columns with export', () => {
    const r = grantRequest('order_export', {
      type: 'UNIT',
      role: 'FINANCE',
      unit: 'u-east',
      actions: ['export', 'read'],
      columns: ['amount', 'amount', 'buyer_phone'],
      scopeUnitId: 'u-east-sh',
    });
    assert.deepEqual(r, {
      ok: true,
      body: {
        bizType: 'order_export',
        type: 'UNIT',
        subject: 'u-east',
        actions: ['read', 'export'],
        columns: ['amount', 'buyer_phone'],
        scopeUnitId: 'u-east-sh',
      },
    });
  });

  it('drops restricted columns without export and an empty scope', () => {
    const r = grantRequest('order_export', {
      type: 'ROLE',
      role: 'FINANCE',
      actions: ['read', 'download'],
      columns: ['amount'],
      scopeUnitId: '',
    });
    assert.ok(r.ok);
    assert.deepEqual(r.body.columns, []);
    assert.equal(r.body.scopeUnitId, null);
  });

  it('blames the subject field of the chosen type, then the actions', () => {
    assert.deepEqual(grantRequest('b', { type: 'USER', role: 'X', actions: ['read'] }), {
      ok: false,
      field: 'user',
      reason: 'required',
    });
    assert.deepEqual(grantRequest('b', { type: 'ROLE', role: 'X', actions: [] }), {
      ok: false,
      field: 'actions',
      reason: 'required',
    });
  });
});
