import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRolesKnown, checkPassword, checkUsername, User } from '../../../domain/directory/user';
import { Role } from '../../../domain/directory/role';
import { isDomainError } from '../../../domain/shared/errors';

const code = (c: string) => (e: unknown) => isDomainError(e) && e.code === c;
const now = new Date('2026-01-01T00:00:00Z');

describe('User', () => {
  it('normalises usernames and rejects unsafe ones', () => {
    assert.equal(checkUsername('Alice.B-1'), 'alice.b-1');
    for (const bad of ['a', '', ' alice', 'al ice', '../x', 'x'.repeat(65), 'ä', 7, null]) {
      assert.throws(() => checkUsername(bad), code('VALIDATION_ERROR'), String(bad));
    }
  });

  it('enforces the password length policy', () => {
    assert.equal(checkPassword('12345678'), '12345678');
    for (const bad of ['1234567', '', 'x'.repeat(257), undefined])
      assert.throws(() => checkPassword(bad), code('WEAK_PASSWORD'));
  });

  it('never exposes the password hash in its view', () => {
    const u = User.create({
      id: 'u1',
      username: 'Bob',
      passwordHash: 'secret-hash',
      roles: ['B', 'A', 'A'],
      unitId: null,
      now,
    });
    const view = u.toView();
    assert.equal(JSON.stringify(view).includes('secret-hash'), false);
    assert.deepEqual(view.roles, ['A', 'B']);
    assert.equal(view.username, 'bob');
    assert.deepEqual(u.toPrincipal(), { id: 'u1', username: 'bob', roles: ['A', 'B'], unitId: null });
  });

  it('checks that roles exist', () => {
    const known = new Set(['ADMIN', 'SALES']);
    assert.deepEqual(assertRolesKnown(['SALES'], known), ['SALES']);
    assert.throws(() => assertRolesKnown(['SALES', 'NOPE'], known), code('UNKNOWN_ROLE'));
    assert.throws(() => assertRolesKnown('SALES', known), code('VALIDATION_ERROR'));
  });
});

describe('Role', () => {
  it('accepts UPPER_SNAKE codes only', () => {
    assert.equal(Role.create({ code: 'FINANCE_2', name: 'Finance' }).code, 'FINANCE_2');
    for (const bad of ['finance', 'F', '1ABC', 'A-B', 'A'.repeat(65)]) {
      assert.throws(() => Role.create({ code: bad, name: 'x' }), code('VALIDATION_ERROR'), bad);
    }
  });
});
