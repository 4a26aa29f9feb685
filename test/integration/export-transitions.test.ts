import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileTask } from '../../domain/file-tasks/file-task';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';
import { onBothEngines, type DbTarget } from '../support/log-fixtures';

const requested = (id: string, key: string | null = null) =>
  FileTask.exportRequested({
    id,
    bizType: 'order_export',
    bizDomain: null,
    name: 'orders.csv',
    createdBy: 'u1',
    unitId: 'u-east',
    unitPath: '/u-hq/u-east/',
    format: 'csv',
    spec: {
      filters: { status: [1, 2] },
      columns: ['order_no', 'amount'],
      rowScope: ['u-east', 'u-east-sh'],
      requester: { id: 'u1', roles: ['SALES'], unitId: 'u-east' },
    },
    idempotencyKey: key,
    requestHash: 'h'.repeat(64),
    now: new Date('2026-11-24T10:00:00.000Z'),
  });

onBothEngines(describe, it, (make, engine) => {
  describe(`export task persistence and guarded transitions (${engine})`, () => {
    let t: DbTarget;
    let repo: FileTaskRepository;
    before(async () => {
      t = await make();
      repo = new FileTaskRepository(t.ds);
    });
    after(() => t.cleanup());

    it('round-trips every export attribute', async () => {
      const task = requested('01KX0000000000000000000001', 'key-1');
      await repo.insert(task, []);
      const back = (await repo.find(task.id))!;
      assert.deepEqual(back.snapshot(), task.snapshot());
      assert.equal((await repo.findByIdempotencyKey('u1', 'key-1'))?.id, task.id);
      assert.equal((await repo.findInFlight('u1', 'h'.repeat(64)))?.id, task.id);
    });

    it('lets exactly one of two workers start a task', async () => {
      const id = '01KX0000000000000000000002';
      await repo.insert(requested(id), []);
      const [a, b] = [(await repo.find(id))!, (await repo.find(id))!];
      const from = { status: a.status, version: a.version };
      const lease = new Date(Date.now() + 60_000);
      a.start('node-a', lease, new Date());
      b.start('node-b', lease, new Date());
      const won = await Promise.all([repo.transition(a, from, []), repo.transition(b, from, [])]);
      assert.deepEqual(won.sort(), [false, true]);
      const stored = (await repo.find(id))!;
      assert.equal(stored.status, 'EXPORTING');
      assert.equal(stored.exportAttrs.attempts, 1);
      const owner = stored.exportAttrs.leaseOwner!;
      const loser = owner === 'node-a' ? 'node-b' : 'node-a';
      // Heartbeats of the loser change nothing; the owner's do, without bumping the version.
      const beat = { rows: 10, total: 100, leaseUntil: lease, now: new Date() };
      assert.equal(await repo.heartbeat(id, loser, beat), false);
      assert.equal(await repo.heartbeat(id, owner, beat), true);
      const after = (await repo.find(id))!;
      assert.deepEqual(
        [after.version, after.exportAttrs.progress],
        [stored.version, { rows: 10, total: 100 }],
      );
    });

    it('a cancel wins over a later success, and a takeover fences out the old worker', async () => {
      const id = '01KX0000000000000000000003';
      await repo.insert(requested(id), []);
      const w = (await repo.find(id))!;
      const from = { status: w.status, version: w.version };
      w.start('node-a', new Date(Date.now() - 1), new Date());
      assert.ok(await repo.transition(w, from, []));
      // Its lease has expired: another worker takes over; node-a's heartbeats now fail.
      const x = (await repo.find(id))!;
      const xFrom = { status: x.status, version: x.version };
      x.takeOver('node-b', new Date(Date.now() + 60_000), new Date());
      assert.ok(await repo.transition(x, xFrom, []));
      assert.equal(
        await repo.heartbeat(id, 'node-a', { rows: 1, total: null, leaseUntil: new Date(), now: new Date() }),
        false,
      );
      // The user cancels; node-b's success, based on the version it read, is refused.
      const c = (await repo.find(id))!;
      const cFrom = { status: c.status, version: c.version };
      c.cancel(new Date());
      assert.ok(await repo.transition(c, cFrom, []));
      const done = { status: x.status, version: x.version };
      x.succeed(
        { storageKey: 'k', size: 1, sha256: 'a'.repeat(64), contentType: 'text/csv' },
        1,
        {},
        new Date(),
      );
      assert.equal(await repo.transition(x, done, []), false);
      assert.equal((await repo.find(id))!.status, 'CANCELLED');
    });

    it('refuses illegal moves in the aggregate itself', () => {
      const task = requested('01KX0000000000000000000004');
      assert.throws(
        () => task.succeed({ storageKey: 'k', size: 1, sha256: 'a', contentType: 'x' }, 1, {}, new Date()),
        {
          code: 'ILLEGAL_TRANSITION',
        },
      );
      assert.throws(() => task.retry(new Date()), { code: 'ILLEGAL_TRANSITION' });
      task.cancel(new Date());
      assert.throws(() => task.start('n', new Date(), new Date()), { code: 'ILLEGAL_TRANSITION' });
    });
  });
});
