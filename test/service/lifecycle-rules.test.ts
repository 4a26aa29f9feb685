import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { Context, Service } from 'moleculer';
import type { DataSource } from 'typeorm';
import { FileTask } from '../../domain/file-tasks/file-task';
import type { Clock } from '../../domain/ports/clock.port';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';
import { createObjectStorage } from '../../mixins/storage/storage.factory';
import { ulidIds } from '../../mixins/auth/ulid-ids';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { eventually } from '../support/cluster';
import { uploadMultipart } from '../support/uploads';

const DAY = 24 * 3600 * 1000;
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(1000)]);

/**
 * Lifecycle rules per biz type (API.md) on the embedded node, with the scheduler's clock moved by
 * the test: admins add jobs of a kind under their own names with a biz type scope; expiry enforces
 * a FILE biz type's retentionDays (object deleted, task EXPIRED, FILE_EXPIRED, files.expired);
 * archival moves only the statuses and biz types its rule names, past olderThanDays.
 */
describe('lifecycle rules per biz type', () => {
  let node: TestNode;
  let admin = '';
  let db: DataSource;
  let repo: FileTaskRepository;
  const expired: { task: { id: string; status: string } }[] = [];
  const api = (method: string, url: string, body?: unknown) =>
    http(node.baseUrl, method, url, { token: admin, body });
  const at = (ms: number) =>
    (node.broker.getLocalService('scheduler') as Service & { useClock(c: Clock | null): void }).useClock(
      ms ? { now: () => new Date(Date.now() + ms) } : null,
    );
  const run = async (name: string) => {
    const r = await api('POST', `/api/scheduled-tasks/${name}/run`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.outcome, 'SUCCESS', JSON.stringify(r.body));
    return r.body as { handled: number; detail: Record<string, unknown> };
  };
  const upload = async (bizType: string) => {
    const r = await uploadMultipart(node.baseUrl, admin, [['bizType', bizType]], {
      filename: 'a.pdf',
      contentType: 'application/pdf',
      body: PDF,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };
  /** A finished export record of `bizType` in `status`, stored as a worker would leave it. */
  const finishedExport = async (bizType: string, status: 'CANCELLED' | 'FAILED') => {
    const now = new Date();
    const t = FileTask.exportRequested({
      id: ulidIds.next(),
      bizType,
      bizDomain: null,
      name: 'x.csv',
      createdBy: 'someone',
      unitId: null,
      unitPath: null,
      format: 'csv',
      spec: {
        filters: {},
        columns: ['order_no'],
        rowScope: null,
        requester: { id: 'someone', roles: [], unitId: null },
      },
      idempotencyKey: null,
      requestHash: `h${ulidIds.next()}`,
      now,
    });
    if (status === 'CANCELLED') t.cancel(now);
    else {
      t.start('node-x', new Date(now.getTime() + 1000), now);
      t.fail('ROW_LIMIT_EXCEEDED', 'too many rows', now);
    }
    await repo.insert(t, []);
    return t.id;
  };

  before(async () => {
    node = await startTestNode({ DEMO_ORDERS: '300', LOG_RELAY_INTERVAL_MS: '50' });
    node.broker.createService({
      name: 'erp',
      events: {
        'files.expired': {
          handler: (ctx: Context<(typeof expired)[number]>) => void expired.push(ctx.params),
        },
      },
    });
    admin = await login(node.baseUrl, 'admin', 'admin');
    db = await acquireMainDatabase(node.config.database);
    repo = new FileTaskRepository(db);
  });
  after(async () => {
    await releaseMainDatabase(node.config.database);
    await node?.stop();
  });

  it('adds jobs of a kind under new names, and keeps the built-in three', async () => {
    const created = await api('PUT', '/api/scheduled-tasks/invoice-expiry', {
      kind: 'expiry',
      rule: { cron: '0 4 * * *', timezone: 'Asia/Shanghai', bizTypes: ['invoice'], maxItems: 100 },
      enabled: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('location'), '/api/scheduled-tasks/invoice-expiry');
    assert.equal(created.body.kind, 'expiry');
    assert.equal(created.body.builtIn, false);
    assert.deepEqual(created.body.rule.bizTypes, ['invoice']);
    assert.ok(created.body.nextRunAt);
    const again = await api('PUT', '/api/scheduled-tasks/invoice-expiry', {
      kind: 'expiry',
      rule: { batchSize: 50 },
    });
    assert.equal(again.status, 200, 'a PUT of an existing job changes it');
    assert.equal(again.body.rule.timezone, 'Asia/Shanghai');

    const refused: [string, unknown, number, string][] = [
      ['nope', { enabled: false }, 404, 'SCHEDULED_TASK_NOT_FOUND'], // no kind: not a creation
      ['Bad_Name', { kind: 'expiry' }, 400, 'INVALID_RULE'],
      ['purge', { kind: 'purge' }, 400, 'VALIDATION_ERROR'],
      ['invoice-expiry', { kind: 'archival' }, 400, 'INVALID_RULE'],
      ['order-archival', { kind: 'archival', rule: { statuses: ['SUCCESS'] } }, 400, 'INVALID_RULE'],
      ['order-archival', { kind: 'archival', rule: { olderThanDays: 0 } }, 400, 'INVALID_RULE'],
      ['order-expiry', { kind: 'expiry', rule: { olderThanDays: 3 } }, 400, 'INVALID_RULE'],
    ];
    for (const [name, body, status, code] of refused) {
      const r = await api('PUT', `/api/scheduled-tasks/${name}`, body);
      assert.equal(r.status, status, `${name} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, code, JSON.stringify(r.body));
    }
    for (const builtIn of ['compensation', 'archival', 'expiry']) {
      const r = await api('DELETE', `/api/scheduled-tasks/${builtIn}`);
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'BUILT_IN_JOB');
    }
    const list = await api('GET', '/api/scheduled-tasks');
    assert.deepEqual(
      list.body.items.map((t: { name: string; kind: string }) => `${t.name}:${t.kind}`),
      ['archival:archival', 'compensation:compensation', 'expiry:expiry', 'invoice-expiry:expiry'],
    );
  });

  it("expires a FILE biz type's uploads past retentionDays: object deleted, EXPIRED, logged, published", async () => {
    const invoice = await upload('invoice'); // retentionDays 365
    const attachment = await upload('attachment'); // no retention
    const key = (await repo.find(invoice))!.file!.storageKey;
    const storage = createObjectStorage(node.config);
    await storage.start();
    try {
      assert.ok(await storage.head(key), 'stored');
      at(364 * DAY);
      assert.equal((await run('invoice-expiry')).handled, 0, 'not yet 365 days old');
      at(366 * DAY);
      const done = await run('invoice-expiry');
      assert.equal(done.detail.expired, 1, JSON.stringify(done));
      assert.equal((await api('GET', `/api/file-tasks/${invoice}`)).body.status, 'EXPIRED');
      assert.equal((await api('GET', `/api/file-tasks/${attachment}`)).body.status, 'SUCCESS');
      assert.equal(await storage.head(key), null, 'the object is deleted');
    } finally {
      at(0);
      await storage.stop();
    }
    const logged = await eventually('FILE_EXPIRED logged', 20_000, async () => {
      const l = await api('GET', `/api/logs?action=FILE_EXPIRED&targetId=${invoice}`);
      return l.body.items?.length ? l.body.items : null;
    });
    assert.equal(logged[0].detail.retentionDays, 365);
    const event = await eventually(
      'files.expired published',
      20_000,
      async () => expired.find((e) => e.task.id === invoice) ?? null,
    );
    assert.equal(event.task.status, 'EXPIRED');
  });

  it('archives only the statuses and biz types its rule names, past olderThanDays', async () => {
    const created = await api('PUT', '/api/scheduled-tasks/order-archival', {
      kind: 'archival',
      rule: { bizTypes: ['order_export'], olderThanDays: 30, statuses: ['CANCELLED'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const cancelled = await finishedExport('order_export', 'CANCELLED');
    const failed = await finishedExport('order_export', 'FAILED');
    const otherBizType = await finishedExport('order_export_api', 'CANCELLED');
    try {
      at(29 * DAY);
      await run('order-archival');
      assert.ok(await repo.find(cancelled), 'not yet 30 days old');
      at(31 * DAY);
      const done = await run('order-archival');
      assert.equal(done.detail.fileTasks, 1, JSON.stringify(done));
      assert.equal(done.detail.operationLogs, 0, 'a job scoped to biz types leaves the log alone');
    } finally {
      at(0);
    }
    assert.equal(await repo.find(cancelled), null, 'moved to the cold table');
    assert.ok(await repo.find(failed), 'FAILED is not in its statuses');
    assert.ok(await repo.find(otherBizType), 'another biz type is out of its scope');

    assert.equal((await api('DELETE', '/api/scheduled-tasks/order-archival')).status, 204);
    assert.equal((await api('GET', '/api/scheduled-tasks/order-archival/runs')).status, 404);
    assert.equal((await api('DELETE', '/api/scheduled-tasks/order-archival')).status, 404);
    const ops = await eventually('the changes logged', 20_000, async () => {
      const l = await api('GET', '/api/logs?action=SCHEDULED_TASK_CHANGED&targetId=order-archival');
      return l.body.items?.length >= 2 ? l.body.items : null;
    });
    assert.deepEqual(ops.map((e: { detail: { op: string } }) => e.detail.op).sort(), ['CREATED', 'DELETED']);
  });
});
