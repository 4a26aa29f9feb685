import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileTaskInsertBatch } from '../../../mixins/file-tasks/file-task-insert-batch';
import type { FileTask } from '../../../domain/file-tasks/file-task';

const task = (id: string) => ({ id }) as unknown as FileTask;

/** A repository that records its transactions; `dup` ids fail as a duplicate idempotency key would. */
function repo(dup = new Set<string>()) {
  const transactions: string[][] = [];
  let release: (() => void) | null = null;
  const gate = { hold: false };
  const check = (ids: string[]) => {
    if (ids.some((id) => dup.has(id))) throw new Error(`duplicate ${ids.find((id) => dup.has(id))}`);
    transactions.push(ids);
  };
  return {
    transactions,
    gate,
    open: () => release?.(),
    r: {
      async insert(t: FileTask) {
        check([t.id]);
      },
      async insertMany(items: readonly { task: FileTask }[]) {
        if (gate.hold) await new Promise<void>((res) => (release = res));
        check(items.map((i) => i.task.id));
      },
    },
  };
}

describe('FileTaskInsertBatch: group commit of new tasks', () => {
  it('stores requests of one moment in one transaction and settles each after it', async () => {
    const { r, transactions } = repo();
    const b = new FileTaskInsertBatch(r, 1);
    await Promise.all(['a', 'b', 'c'].map((id) => b.insert(task(id), [])));
    assert.deepEqual(transactions, [['a', 'b', 'c']]);
  });

  it('batches what arrives while a transaction is in flight', async () => {
    const x = repo();
    const b = new FileTaskInsertBatch(x.r, 1);
    x.gate.hold = true;
    const first = [b.insert(task('a'), []), b.insert(task('b'), [])];
    await new Promise((res) => setImmediate(res));
    const later = ['c', 'd', 'e'].map((id) => b.insert(task(id), []));
    x.gate.hold = false;
    x.open();
    await Promise.all([...first, ...later]);
    assert.deepEqual(x.transactions, [
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
  });

  it('when a batch fails, each task is stored on its own and only the failing one is refused', async () => {
    const { r, transactions } = repo(new Set(['b']));
    const b = new FileTaskInsertBatch(r, 1);
    const results = await Promise.allSettled(['a', 'b', 'c'].map((id) => b.insert(task(id), [])));
    assert.deepEqual(
      results.map((x) => x.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(transactions, [['a'], ['c']]);
  });

  it('keeps batches within the maximum size', async () => {
    const { r, transactions } = repo();
    const b = new FileTaskInsertBatch(r, 1, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => b.insert(task(id), [])));
    assert.deepEqual(transactions, [['a', 'b'], ['c', 'd'], ['e']]);
  });
});
