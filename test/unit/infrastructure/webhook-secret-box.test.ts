import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretBox, SecretUnreadable } from '../../../mixins/webhooks/secret-box';

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

describe('webhook secret keys rotated', () => {
  const old = new SecretBox('o'.repeat(40));
  const secret = 'whsec_rotated0123456789abcdefghijklmn';

  it('opens what a previous key sealed, seals only under the current key', () => {
    const sealedOld = old.seal(secret);
    const ring = new SecretBox('n'.repeat(40), ['x'.repeat(40), 'o'.repeat(40)]);
    assert.equal(ring.open(sealedOld), secret);
    assert.equal(ring.isCurrent(sealedOld), false);
    const sealedNew = ring.seal(secret);
    assert.equal(ring.isCurrent(sealedNew), true);
    assert.throws(() => old.open(sealedNew), SecretUnreadable, 'sealed under the new key, not an old one');
    assert.equal(ring.isCurrent(secret), false, 'a plain legacy secret is not sealed under the current key');
  });

  it('refuses a value that no key of the ring opens', () => {
    const ring = new SecretBox('n'.repeat(40), ['x'.repeat(40)]);
    assert.throws(() => ring.open(old.seal(secret)), SecretUnreadable);
  });
});
