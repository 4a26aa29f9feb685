import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileTask } from '../../domain/file-tasks/file-task';
import { nextTurn, type TurnLimits } from '../../domain/exports/fair-turns';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';
import { ExportTurnsRepository } from '../../mixins/file-tasks/export-turns.repository';
import { onBothEngines, type DbTarget } from '../support/log-fixtures';

let seq = 0;
/** ULIDs sort by time: a counter in the last characters keeps creation order. */
const nextId = () => `01KY${String(++seq).padStart(22, '0')}`;

const requested = (user: string, bizType = 'order_export', now = new Date()) =>
  FileTask.exportRequested({
    id: nextId(),
    bizType,
    bizDomain: null,
    name: 'orders.csv',
    createdBy: user,
    unitId: null,
    unitPath: null,
    format: 'csv',
    spec: { filters: {}, columns: ['id'], rowScope: null, requester: { id: user, roles: [], unitId: null } },
    idempotencyKey: null,
    requestHash: nextId(),
    now,
    estimatedRows: 100,
  });

const limits = (userConcurrency: number): TurnLimits => ({ userConcurrency, bizTypeMax: () => null });

onBothEngines(describe, it, (make, engine) => {
  describe(`fair export turns on the database (${engine})`, () => {
    let t: DbTarget;
    let tasks: FileTaskRepository;
    let turns: ExportTurnsRepository;
    before(async () => {
      t = await make();
      tasks = new FileTaskRepository(t.ds);
      turns = new ExportTurnsRepository(t.ds);
    });
    after(() => t.cleanup());

    /** One turn as an export node takes it: the policy decides, the aggregate claims. */
    const take = (owner: string, cap: number, leaseMs = 60_000) => {
      const now = new Date();
      return turns.take(
        now,
        (s) => nextTurn(s, limits(cap)),
        (task) => task.claim(owner, new Date(now.getTime() + leaseMs), now, 3) === 'START',
      );
    };
    const insert = async (task: FileTask) => {
      await tasks.insert(task, []);
      return task.id;
    };
    const finish = async (id: string) => {
      const task = (await tasks.find(id))!;
      const from = { status: task.status, version: task.version };
      task.cancel(new Date());
      assert.ok(await tasks.transition(task, from, []));
    };

    it('lets two nodes taking a turn at once start one export of a user capped at one', async () => {
      for (let round = 0; round < 8; round++) {
        const user = `race-${round}`;
        const ids = [await insert(requested(user)), await insert(requested(user))];
        const won = await Promise.all([take('node-a', 1), take('node-b', 1), take('node-c', 1)]);
        const started = won.filter((w) => w?.createdBy === user);
        assert.equal(started.length, 1, `round ${round}: ${JSON.stringify(won.map((w) => w?.id))}`);
        const waiting = (await tasks.find(ids.find((id) => id !== started[0]!.id)!))!;
        assert.equal(waiting.status, 'PENDING');
        assert.equal(waiting.toView().export?.waitingReason, 'USER_CONCURRENCY');
        for (const id of ids) await finish(id);
      }
    });

    it("takes turns round robin, and frees a dead node's slot when its lease runs out", async () => {
      const a = [
        await insert(requested('ann')),
        await insert(requested('ann')),
        await insert(requested('ann')),
      ];
      const b = await insert(requested('ben'));
      const first = await take('node-a', 2);
      assert.equal(first?.id, a[0]);
      assert.equal((await take('node-a', 2))?.id, b, "ben's export goes before ann's second");
      // ann's second runs on a node that dies: its lease is short and never renewed.
      const dying = await take('node-dead', 2, 300);
      assert.equal(dying?.id, a[1]);
      assert.equal(await take('node-a', 2), null, 'ann is at her cap while the lease lives');
      assert.equal((await tasks.find(a[2]))!.toView().export?.waitingReason, 'USER_CONCURRENCY');
      assert.deepEqual(
        (await turns.running(new Date())).filter((r) => r.userId === 'ann'),
        [{ userId: 'ann', bizType: 'order_export', count: 2 }],
      );
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(
        (await take('node-a', 2))?.id,
        a[2],
        "the dead node's slot is free once its lease ran out",
      );
      for (const id of [a[0], a[2], b]) await finish(id);
      assert.equal(await turns.anyWaiting(), false);
    });

    it('puts the turn lock row back when it is missing, so turns stay one at a time', async () => {
      await t.ds.query('DELETE FROM export_turn_lock');
      const user = 'lock-gone';
      const ids = [await insert(requested(user)), await insert(requested(user))];
      const won = await Promise.all([take('node-a', 1), take('node-b', 1)]);
      assert.equal(won.filter((w) => w?.createdBy === user).length, 1, 'one start for a user capped at one');
      const rows = await t.ds.query<{ id: number }[]>('SELECT id FROM export_turn_lock');
      assert.deepEqual(
        rows.map((r) => Number(r.id)),
        [1],
      );
      for (const id of ids) await finish(id);
    });

    it('counts the rows of a user and biz type created in a quota day', async () => {
      const day = new Date('2026-05-05T10:00:00Z');
      await insert(requested('quota-u', 'order_export', day));
      await insert(requested('quota-u', 'order_export', day));
      await insert(requested('quota-u', 'other_export', day));
      await insert(requested('quota-v', 'order_export', day));
      const cancelled = await insert(requested('quota-u', 'order_export', day));
      await finish(cancelled);
      await insert(requested('quota-u', 'order_export', new Date('2026-05-06T00:00:00Z')));
      const from = new Date('2026-05-05T00:00:00Z');
      const to = new Date('2026-05-06T00:00:00Z');
      assert.equal(await turns.rowsRequested('quota-u', 'order_export', from, to), 200);
    });
  });
});
