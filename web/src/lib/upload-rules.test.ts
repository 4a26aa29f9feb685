import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkUpload } from './upload-rules';

describe('console: upload rules checked before sending', () => {
  const rules = { maxSize: 1000, contentTypes: ['application/pdf'], retentionDays: null };
  it('refuses a file over the size limit or of a type not accepted', () => {
    assert.deepEqual(checkUpload(rules, { size: 1001, type: 'application/pdf' }), {
      kind: 'tooLarge',
      limit: 1000,
    });
    assert.deepEqual(checkUpload(rules, { size: 10, type: 'image/png' }), {
      kind: 'badType',
      type: 'image/png',
    });
    assert.equal(checkUpload(rules, { size: 1000, type: 'application/pdf' }), null);
  });
  it('leaves unknown types and absent limits to the server', () => {
    assert.equal(checkUpload(rules, { size: 10, type: '' }), null);
    assert.equal(
      checkUpload({ maxSize: null, contentTypes: [], retentionDays: null }, { size: 1e12, type: 'x/y' }),
      null,
    );
  });
});
