import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../mixins/config/app-config';
import { buildDataSource, migrate } from '../../mixins/database/data-source';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { DIRECTORY_ENTITIES } from '../../mixins/database/schemas/directory.schema';
import { Directory1764000000001 } from '../../mixins/database/migrations/1764000000001-Directory';
import { TypeormDirectoryRepository } from '../../mixins/directory/directory.repository';
import { ScryptHasher } from '../../mixins/auth/scrypt-hasher';
import { JwtIssuer } from '../../mixins/auth/jwt-issuer';
import { ulidIds } from '../../mixins/auth/ulid-ids';
import { DirectoryUseCases, type DirectoryDeps } from '../../domain/directory/directory.use-cases';
import { systemClock } from '../../domain/ports/clock.port';
import { isDomainError } from '../../domain/shared/errors';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';

const code = (c: string) => (e: unknown) => isDomainError(e) && e.code === c;

/** The same checks on both engines: the adapters must behave identically. */
function databaseSuite(
  engine: string,
  makeConfig: () => Promise<{ config: DatabaseConfig; cleanup: () => Promise<void> }>,
) {
  describe(`main database on ${engine}`, () => {
    let config: DatabaseConfig;
    let cleanup: () => Promise<void>;
    let ds: DataSource;
    let deps: (n: number) => DirectoryDeps;

    before(async () => {
      ({ config, cleanup } = await makeConfig());
      ds = await acquireMainDatabase(config);
      const hasher = new ScryptHasher({ N: 2 ** 10, r: 8, p: 1 });
      deps = () => ({
        repo: new TypeormDirectoryRepository(ds),
        hasher,
        tokens: new JwtIssuer('s'.repeat(32), 60),
        ids: ulidIds,
        clock: systemClock,
      });
    });
    after(async () => {
      await releaseMainDatabase(config);
      await cleanup();
    });

    it('migrates once even when several nodes migrate at the same time', async () => {
      const others = Array.from({ length: 3 }, () =>
        buildDataSource({ config, entities: DIRECTORY_ENTITIES, migrations: [Directory1764000000001] }),
      );
      await Promise.all(others.map((o) => o.initialize()));
      await Promise.all(others.map((o) => migrate(o)));
      await Promise.all(others.map((o) => o.destroy()));
      const rows = await ds.query<{ name: string }[]>('SELECT name FROM migrations');
      const names = rows.map((r) => r.name);
      assert.equal(new Set(names).size, names.length, 'no migration recorded twice');
      assert.ok(names.includes('Directory1764000000001'));
    });

    it('creates exactly one first admin when nodes bootstrap concurrently', async () => {
      const results = await Promise.all(
        [1, 2, 3, 4].map((n) => new DirectoryUseCases(deps(n)).bootstrap('first-pass', () => 'x')),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      const uc = new DirectoryUseCases(deps(0));
      const login = await uc.login('admin', 'first-pass');
      assert.deepEqual(login.user.roles, ['ADMIN']);
    });

    it('round-trips units, roles and users with their role links', async () => {
      const uc = new DirectoryUseCases(deps(0));
      const root = await uc.createUnit({ name: '总部 Head', parentId: null });
      const child = await uc.createUnit({ name: 'Child', parentId: root.id });
      await uc.createRole({ code: 'FINANCE', name: 'Finance' });
      const u = await uc.createUser({
        username: 'Fiona',
        password: 'fiona-password',
        roles: ['FINANCE', 'AUDITOR'],
        unitId: child.id,
      });
      assert.deepEqual(u.roles, ['AUDITOR', 'FINANCE']);
      await assert.rejects(
        uc.createUser({ username: 'fiona', password: 'fiona-password' }),
        code('USERNAME_TAKEN'),
      );
      const updated = await uc.updateUser(u.id, { roles: ['FINANCE'], displayName: 'Fiona F.' });
      assert.deepEqual(updated.roles, ['FINANCE']);
      const again = await uc.getUser(u.id);
      assert.deepEqual([again.roles, again.unitId, again.username], [['FINANCE'], child.id, 'fiona']);
      const tree = await uc.unitTree();
      const head = tree.find((n) => n.id === root.id)!;
      assert.equal(head.name, '总部 Head');
      assert.deepEqual(
        head.children.map((c) => c.id),
        [child.id],
      );
      const unit = await new TypeormDirectoryRepository(ds).findUnit(child.id);
      assert.equal(unit?.path, `/${root.id}/${child.id}/`);
      assert.ok(unit.createdAt instanceof Date && !Number.isNaN(unit.createdAt.getTime()));
    });

    it('pages users by cursor', async () => {
      const uc = new DirectoryUseCases(deps(0));
      for (let i = 0; i < 5; i++) await uc.createUser({ username: `pager${i}`, password: 'long-enough' });
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await uc.listUsers(2, cursor);
        all.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(new Set(all).size, all.length);
      assert.ok(all.length >= 6);
    });
  });
}

databaseSuite('SQLite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-db-'));
  return {
    config: { type: 'sqlite', file: path.join(dir, 'ftc.sqlite') },
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('MySQL', async () => {
  const s = await servers('mysql');
  if (s.skip) {
    it('needs MySQL', { skip: s.skip }, () => {});
    return;
  }
  databaseSuite('MySQL', async () => {
    const db = await tempMysqlDatabase(s.url.mysql, 'ftc_test_main');
    return { config: { type: 'mysql', url: db.url }, cleanup: () => db.drop() };
  });
});
