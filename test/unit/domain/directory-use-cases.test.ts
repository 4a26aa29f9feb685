import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DirectoryUseCases, seedDemoDirectory } from '../../../domain/directory/directory.use-cases';
import { DEMO_PASSWORD, DEMO_ROLES, DEMO_UNITS, DEMO_USERS } from '../../../mixins/demo/demo-directory';
import { isDomainError } from '../../../domain/shared/errors';
import { memoryDirectoryDeps } from '../../support/memory-directory';

const code = (c: string) => (e: unknown) => isDomainError(e) && e.code === c;

async function setup() {
  const deps = memoryDirectoryDeps();
  const uc = new DirectoryUseCases(deps);
  await uc.bootstrap('admin-pass', () => 'generated');
  return { deps, uc };
}

describe('directory use cases', () => {
  it('bootstraps built-in roles and one admin, idempotently', async () => {
    const { deps, uc } = await setup();
    assert.deepEqual(await uc.bootstrap('other', () => 'x'), { created: false, password: null });
    assert.deepEqual([...deps.repo.roles.keys()].sort(), ['ADMIN', 'AUDITOR']);
    assert.equal(await deps.repo.countUsersWithRole('ADMIN'), 1);
    const login = await uc.login('ADMIN', 'admin-pass');
    assert.equal(login.user.username, 'admin');
    assert.deepEqual(login.user.roles, ['ADMIN']);
  });

  it('generates a password when none is configured', async () => {
    const deps = memoryDirectoryDeps();
    const uc = new DirectoryUseCases(deps);
    assert.deepEqual(await uc.bootstrap(null, () => 'gen-secret-1'), {
      created: true,
      password: 'gen-secret-1',
    });
    await uc.login('admin', 'gen-secret-1');
  });

  it('answers the same error for a wrong password, an unknown user and a disabled user', async () => {
    const { uc } = await setup();
    const u = await uc.createUser({ username: 'bob', password: 'bob-password' });
    await uc.updateUser(u.id, { disabled: true });
    for (const [name, pw] of [
      ['admin', 'wrong'],
      ['nobody', 'whatever'],
      ['bob', 'bob-password'],
    ]) {
      await assert.rejects(uc.login(name, pw), code('INVALID_CREDENTIALS'));
    }
    await assert.rejects(uc.login('', ''), code('VALIDATION_ERROR'));
    await assert.rejects(uc.login({ $gt: '' }, 'x'), code('VALIDATION_ERROR'));
  });

  it('creates users with known roles and units only, and unique usernames', async () => {
    const { uc } = await setup();
    const unit = await uc.createUnit({ name: 'Sales', parentId: null });
    await assert.rejects(
      uc.createUser({ username: 'c1', password: 'long-enough', roles: ['NOPE'] }),
      code('UNKNOWN_ROLE'),
    );
    await assert.rejects(
      uc.createUser({ username: 'c1', password: 'long-enough', unitId: 'missing' }),
      code('UNKNOWN_UNIT'),
    );
    await assert.rejects(uc.createUser({ username: 'c1', password: 'short' }), code('WEAK_PASSWORD'));
    const c = await uc.createUser({
      username: 'c1',
      password: 'long-enough',
      roles: ['AUDITOR'],
      unitId: unit.id,
    });
    assert.equal(c.unitId, unit.id);
    await assert.rejects(uc.createUser({ username: 'C1', password: 'long-enough' }), code('USERNAME_TAKEN'));
  });

  it('never removes the last active administrator', async () => {
    const { uc, deps } = await setup();
    const admin = (await deps.repo.findUserByUsername('admin'))!;
    await assert.rejects(uc.updateUser(admin.id, { roles: [] }), code('LAST_ADMIN'));
    await assert.rejects(uc.updateUser(admin.id, { disabled: true }), code('LAST_ADMIN'));
    await uc.createUser({ username: 'admin2', password: 'long-enough', roles: ['ADMIN'] });
    await uc.updateUser(admin.id, { roles: ['AUDITOR'] });
    assert.equal(await deps.repo.countUsersWithRole('ADMIN'), 1);
  });

  it('changes a password so only the new one signs in', async () => {
    const { uc } = await setup();
    const u = await uc.createUser({ username: 'dora', password: 'first-password' });
    await uc.updateUser(u.id, { password: 'second-password' });
    await assert.rejects(uc.login('dora', 'first-password'), code('INVALID_CREDENTIALS'));
    await uc.login('dora', 'second-password');
  });

  it('rejects a duplicate role and a unit under a missing parent', async () => {
    const { uc } = await setup();
    await uc.createRole({ code: 'FINANCE', name: 'Finance' });
    await assert.rejects(uc.createRole({ code: 'FINANCE', name: 'Again' }), code('ROLE_EXISTS'));
    await assert.rejects(uc.createUnit({ name: 'x', parentId: 'nope' }), code('UNKNOWN_UNIT'));
  });

  it('pages users by cursor without gaps or repeats', async () => {
    const { uc } = await setup();
    for (let i = 0; i < 7; i++) await uc.createUser({ username: `user${i}`, password: 'long-enough' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await uc.listUsers(3, cursor);
      seen.push(...page.items.map((u) => u.username));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 8);
    assert.equal(new Set(seen).size, 8);
  });

  it('seeds the demo organisation once', async () => {
    const { deps, uc } = await setup();
    const demo = { units: DEMO_UNITS, roles: DEMO_ROLES, users: DEMO_USERS, password: DEMO_PASSWORD };
    assert.ok((await seedDemoDirectory(deps, demo)) > 0);
    assert.equal(await seedDemoDirectory(deps, demo), 0);
    const tree = await uc.unitTree();
    assert.equal(tree.length, 1);
    assert.equal(tree[0].children.length, 2);
    const carol = await uc.login('carol', DEMO_PASSWORD);
    assert.equal(carol.user.unitId, 'u-east-sh');
  });
});

describe('sign-in throttle', () => {
  const memoryThrottle = () => {
    const counts = new Map<string, number>();
    return {
      attempt: async (k: string) => {
        counts.set(k, (counts.get(k) ?? 0) + 1);
        return counts.get(k)!;
      },
      reset: async (k: string) => void counts.delete(k),
      windowSeconds: 900,
    };
  };

  it('answers 429 after 10 failures per username and client, without touching other clients', async () => {
    const deps = { ...memoryDirectoryDeps(), throttle: memoryThrottle() };
    const uc = new DirectoryUseCases(deps);
    await uc.bootstrap('right-password', () => 'x');
    for (let i = 0; i < 10; i++)
      await assert.rejects(uc.login('admin', 'wrong', '10.0.0.1'), code('INVALID_CREDENTIALS'));
    await assert.rejects(uc.login('admin', 'right-password', '10.0.0.1'), code('TOO_MANY_LOGIN_ATTEMPTS'));
    await uc.login('admin', 'right-password', '10.0.0.2');
  });

  it('forgets failures after a successful sign-in', async () => {
    const deps = { ...memoryDirectoryDeps(), throttle: memoryThrottle() };
    const uc = new DirectoryUseCases(deps);
    await uc.bootstrap('right-password', () => 'x');
    for (let i = 0; i < 9; i++)
      await assert.rejects(uc.login('admin', 'wrong', 'c'), code('INVALID_CREDENTIALS'));
    await uc.login('admin', 'right-password', 'c');
    for (let i = 0; i < 9; i++)
      await assert.rejects(uc.login('admin', 'wrong', 'c'), code('INVALID_CREDENTIALS'));
    await uc.login('admin', 'right-password', 'c');
  });
});
