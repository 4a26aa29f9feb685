import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceBroker } from 'moleculer';
import type { DataSource } from 'typeorm';
import { adapterMixin, startedValue } from '../../../mixins/lifecycle/adapter.mixin';
import { queueMixin } from '../../../mixins/lifecycle/queue.mixin';
import { loadAppConfig } from '../../../mixins/config/app-config';
import { isDomainError } from '../../../domain/shared/errors';

const notStarted = (e: unknown) => isDomainError(e) && e.code === 'ADAPTER_NOT_STARTED';

describe('lifecycle mixins', () => {
  it('start in the reverse of their listing, before the service; stop in their listing, after it', async () => {
    const log: string[] = [];
    const adapter = (name: string) =>
      adapterMixin(
        name,
        async () => {
          log.push(`open ${name}`);
          return { name };
        },
        async () => {
          log.push(`close ${name}`);
        },
      );
    const queue = adapter('queue');
    const storage = adapter('storage');
    const database = adapter('database');
    const broker = new ServiceBroker({ logger: false });
    broker.createService({
      name: 'svc',
      mixins: [queue.mixin, storage.mixin, database.mixin],
      started() {
        log.push(`service started with ${queue.get().name}, ${storage.get().name}, ${database.get().name}`);
      },
      stopped() {
        log.push(`service stopped with ${queue.get().name}`);
      },
    });
    await broker.start();
    await broker.stop();
    assert.deepEqual(log, [
      'open database',
      'open storage',
      'open queue',
      'service started with queue, storage, database',
      'service stopped with queue',
      'close queue',
      'close storage',
      'close database',
    ]);
  });

  it('answers ADAPTER_NOT_STARTED before start and after stop, and derives once per start', async () => {
    let opened = 0;
    const db = adapterMixin(
      'db',
      async () => ({ n: ++opened }),
      async () => {},
    );
    let built = 0;
    const repo = db.derive((v) => ({ over: v.n, built: ++built }));
    assert.throws(() => db.get(), notStarted);
    assert.throws(() => repo(), notStarted);
    assert.equal(db.peek(), null);
    const broker = new ServiceBroker({ logger: false });
    broker.createService({ name: 'svc', mixins: [db.mixin] });
    await broker.start();
    assert.deepEqual(repo(), { over: 1, built: 1 });
    assert.equal(repo(), repo());
    await broker.stop();
    assert.throws(() => repo(), notStarted);
    const again = new ServiceBroker({ logger: false });
    again.createService({ name: 'svc', mixins: [db.mixin] });
    await again.start();
    assert.deepEqual(repo(), { over: 2, built: 2 }, 'a restart builds over the new value');
    await again.stop();
  });

  it('refuses to start a queue listed after the database it needs', async () => {
    const database = adapterMixin(
      'the records database',
      async () => ({}) as DataSource,
      async () => {},
    );
    const queue = queueMixin(loadAppConfig({}), 'jobs', database);
    const broker = new ServiceBroker({ logger: false });
    broker.createService({ name: 'svc', mixins: [database.mixin, queue.mixin] });
    await assert.rejects(broker.start(), (e: unknown) => notStarted(e) && /list it before/.test(String(e)));
    await broker.stop();
  });

  it('a started value is read without assertions between set and clear', () => {
    const v = startedValue<number>('relay');
    assert.throws(() => v.get(), notStarted);
    v.set(3);
    assert.equal(v.get(), 3);
    assert.equal(v.clear(), 3);
    assert.equal(v.peek(), null);
  });
});
