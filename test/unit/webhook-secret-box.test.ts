import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretBox, SecretUnreadable } from '../../mixins/webhooks/secret-box';

describe('webhook secrets at rest', () => {
  const box = new SecretBox('a'.repeat(40));
  const secret = 'whsec_0123456789abcdefghijklmnopqrstuv';

  it('seals to a value that hides the secret, fits the column and opens back', () => {
    const sealed = box.seal(secret);
    assert.match(sealed, /^v1\./);
    assert.ok(!sealed.includes(secret.slice(6)));
    assert.ok(sealed.length <= 128, `stored in varchar(128): ${sealed.length}`);
    assert.equal(box.open(sealed), secret);
    assert.notEqual(box.seal(secret), sealed, 'a fresh IV per seal');
  });

  it('reads a secret stored before encryption as it is', () => {
    assert.equal(box.open(secret), secret);
  });

  it('refuses another key and a tampered value', () => {
    const sealed = box.seal(secret);
    assert.throws(() => new SecretBox('b'.repeat(40)).open(sealed), SecretUnreadable);
    const last = sealed.at(-1) === 'A' ? 'B' : 'A';
    assert.throws(() => box.open(sealed.slice(0, -1) + last), SecretUnreadable);
  });
});
