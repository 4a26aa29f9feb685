import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { en, translate, zh } from './messages';

describe('console: i18n dictionary', () => {
  it('has every key in both languages, each with the same placeholders', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      assert.ok(zh[key], `zh lacks ${key}`);
      assert.deepEqual(names(zh[key]), names(en[key]), `placeholders of ${key}`);
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    assert.equal(translate('en', 'files.rowsOf', { rows: 5, total: 10 }), '5 of 10 rows');
    assert.equal(translate('zh-CN', 'files.rowsOf', { rows: 5, total: 10 }), '5 / 10 行');
    assert.equal(translate('en', 'files.rowsOf', { rows: 5 }), '5 of {total} rows');
  });
});
