import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seedDemoDirectory } from '../../domain/directory/directory.use-cases';
import { DEMO_PASSWORD, DEMO_ROLES, DEMO_UNITS, DEMO_USERS } from '../../domain/directory/demo-directory';
import { TypeormDirectoryRepository } from '../../mixins/directory/directory.repository';
import { ulidIds } from '../../mixins/auth/ulid-ids';
import { jsonTokens, plainHasher } from '../support/memory-directory';
import { onBothEngines, type DbTarget } from '../support/log-fixtures';

const demo = { units: DEMO_UNITS, roles: DEMO_ROLES, users: DEMO_USERS, password: DEMO_PASSWORD };

/** DEMO_DATA on several core nodes started together: each seeds the one database at once. */
onBothEngines(describe, it, (make, engine) => {
  describe(`demo directory seeded by several nodes at once (${engine})`, () => {
    let t: DbTarget;
    before(async () => {
      t = await make();
    });
    after(() => t.cleanup());

    it('ends with one copy of every demo unit and user, and no node fails', async () => {
      const node = () =>
        seedDemoDirectory(
          {
            repo: new TypeormDirectoryRepository(t.ds),
            hasher: plainHasher,
            tokens: jsonTokens,
            ids: ulidIds,
            clock: { now: () => new Date() },
          },
          demo,
        );
      const count = async (table: string) =>
        Number((await t.ds.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
      const tables = ['org_units', 'roles', 'users'];
      const before = await Promise.all(tables.map(count));
      // Every node finishes (a lost race is not an error); the count each reports is only a log line.
      await Promise.all([node(), node(), node()]);
      const grown = (await Promise.all(tables.map(count))).map((n, i) => n - before[i]);
      assert.equal(await count('org_units'), DEMO_UNITS.length);
      assert.equal(grown[2], DEMO_USERS.length);
    });
  });
});
