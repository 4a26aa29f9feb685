import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { FileTask, type FailureReason } from '../../domain/file-tasks/file-task';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';
import { LocalDiskStorage } from '../../mixins/storage/local-disk.storage';
import { ulidIds } from '../../mixins/auth/ulid-ids';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { waitForTask } from '../support/exports';
import { waitFor } from '../support/queue-contract';
import { runningRun } from '../support/scheduled-runs';
import { TypeormSchedulerRepository } from '../../mixins/scheduler/scheduler.repository';
import { SCHEDULED_JOB, SCHEDULER_QUEUE } from '../../mixins/scheduler/scheduler-timer';
import { JOBS } from '../../domain/scheduler/use-cases/run-job';
import { EmbeddedJobQueue } from '../../mixins/queue/embedded.queue';
import { interruptedAttempts, type ScheduledTaskRun } from '../../domain/scheduler/run';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';

const sqliteDate = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

describe('scheduler on the embedded default', () => {
  let node: TestNode;
  let admin: string;
  let alice: string;
  let db: DataSource;
  let repo: FileTaskRepository;
  let template: FileTask;
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);
  const run = async (name: string) => {
    const r = await call('POST', `/api/scheduled-tasks/${name}/run`, { token: admin });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const exportDone = async () => {
    const r = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export', format: 'csv', idempotencyKey: ulidIds.next() },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return waitForTask(node, admin, r.body.id);
  };
  /** A stored export copied from a real one, in the given state, with no queue job. */
  const stuckExport = async (shape: (t: FileTask, now: Date) => void, updatedAgoMs = 0) => {
    const s = template.snapshot();
    const now = new Date(Date.now() - updatedAgoMs);
    const t = FileTask.exportRequested({
      id: ulidIds.next(),
      bizType: s.bizType,
      bizDomain: null,
      name: s.name,
      createdBy: s.createdBy,
      unitId: s.unitId,
      unitPath: s.unitPath,
      format: 'csv',
      spec: s.export!.spec,
      idempotencyKey: null,
      requestHash: `h${ulidIds.next()}`,
      now,
    });
    shape(t, now);
    await repo.insert(t, []);
    return t;
  };

  /** A run record as another node left it. */
  const recordRun = async (over: Partial<ScheduledTaskRun>) => {
    const r = runningRun(over);
    assert.ok(await new TypeormSchedulerRepository(db).startRun(r));
    return r;
  };
  /** Delivers a cron tick of expiry to the node, as the queue would, and waits for it to be done. */
  const deliverTick = async (tick: string) => {
    const queue = new EmbeddedJobQueue(SCHEDULER_QUEUE, db);
    await queue.add(SCHEDULED_JOB, { name: 'expiry' }, { jobId: tick });
    await waitFor(`tick ${tick} done`, async () => (await queue.getJob(tick))?.state === 'completed', 15_000);
  };

  before(async () => {
    node = await startTestNode({ DEMO_ORDERS: '500', EXPORT_LEASE_SECONDS: '5' });
    admin = await login(node.baseUrl, 'admin', 'admin');
    alice = await login(node.baseUrl, 'alice', DEMO_PASSWORD);
    db = await acquireMainDatabase(node.config.database);
    repo = new FileTaskRepository(db);
    const done = await exportDone();
    template = (await repo.find(done.id))!;
  });
  after(async () => {
    await releaseMainDatabase(node.config.database);
    await node.stop();
  });

  it('lists the default jobs to admins only', async () => {
    const r = await call('GET', '/api/scheduled-tasks', { token: admin });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const names = r.body.items.map((t: { name: string }) => t.name);
    assert.deepEqual(names, ['archival', 'compensation', 'expiry']);
    const comp = r.body.items.find((t: { name: string }) => t.name === 'compensation');
    assert.equal(comp.rule.cron, '* * * * *');
    assert.equal(comp.enabled, true);
    assert.ok(comp.nextRunAt);
    assert.equal((await call('GET', '/api/scheduled-tasks', { token: alice })).status, 403);
    assert.equal((await call('GET', '/api/scheduled-tasks')).status, 401);
    assert.equal((await call('POST', '/api/scheduled-tasks/expiry/run', { token: alice })).status, 403);
  });

  it('validates rule changes with 4xx codes and applies good ones', async () => {
    const put = (name: string, body: unknown) =>
      call('PUT', `/api/scheduled-tasks/${name}`, { token: admin, body });
    const cases: [string, unknown, number, string][] = [
      ['nope', { enabled: false }, 404, 'SCHEDULED_TASK_NOT_FOUND'],
      ['archival', { rule: { cron: '61 * * * *' } }, 400, 'INVALID_CRON'],
      ['archival', { rule: { cron: 'every day' } }, 400, 'INVALID_CRON'],
      ['archival', { rule: { timezone: 'Mars/Olympus' } }, 400, 'INVALID_TIMEZONE'],
      ['archival', { rule: { batchSize: 0 } }, 400, 'INVALID_RULE'],
      ['archival', { rule: { minAgeSeconds: 5 } }, 400, 'INVALID_RULE'],
      ['archival', { rule: { colour: 'red' } }, 400, 'INVALID_RULE'],
      ['archival', { rule: 'x' }, 400, 'INVALID_RULE'],
      ['archival', { enabled: 'yes' }, 400, 'VALIDATION_ERROR'],
    ];
    for (const [name, body, status, code] of cases) {
      const r = await put(name, body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, code, JSON.stringify(body));
    }
    assert.equal(
      (await call('PUT', '/api/scheduled-tasks/archival', { token: alice, body: {} })).status,
      403,
    );
    const ok = await put('archival', {
      rule: { cron: '0 4 * * *', timezone: 'Asia/Shanghai', logRetentionDays: 400 },
      enabled: false,
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.rule.cron, '0 4 * * *');
    assert.equal(ok.body.rule.timezone, 'Asia/Shanghai');
    assert.equal(ok.body.rule.logRetentionDays, 400);
    assert.equal(ok.body.rule.batchSize, 2000, 'fields left out keep their value');
    assert.equal(ok.body.enabled, false);
    assert.equal(ok.body.nextRunAt, null);
    const back = await put('archival', { enabled: true });
    assert.equal(back.body.enabled, true);
    assert.equal(back.body.rule.cron, '0 4 * * *');
  });

  it('compensates stuck exports exactly once, and they complete', async () => {
    await call('PUT', '/api/scheduled-tasks/compensation', {
      token: admin,
      // Manual runs only: a per-minute tick between the inserts and the runs below would take a share.
      body: { rule: { minAgeSeconds: 1, cron: '0 0 1 1 *' } },
    });
    // A dead worker: EXPORTING under a lease that ran out.
    const dead = await stuckExport((t, now) => t.start('dead-node:1:1', new Date(now.getTime() - 1000), now));
    // A lost job: PENDING for a while with nothing in the queue.
    const lost = await stuckExport(() => undefined, 5_000);
    // A retryable failure whose queue retry is gone.
    const failed = await stuckExport((t, now) => {
      t.start('gone:1:1', new Date(now.getTime() + 60_000), now);
      t.fail('SOURCE_UNAVAILABLE', 'source down', now);
    }, 5_000);
    // Not stuck: a failure that no retry can fix, and a fresh PENDING task.
    const fatal = await stuckExport((t, now) => {
      t.start('gone:1:1', new Date(now.getTime() + 60_000), now);
      t.fail('PERMISSION_REVOKED', 'no', now);
    }, 5_000);
    const [a, b] = await Promise.all([run('compensation'), run('compensation')]);
    assert.equal(a.handled + b.handled, 3, JSON.stringify([a, b]));
    assert.equal(a.outcome, 'SUCCESS');
    for (const t of [dead, lost, failed]) {
      const done = await waitForTask(node, admin, t.id, 30_000);
      assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
      assert.equal(done.export.rowCount, 500);
    }
    assert.equal((await repo.find(fatal.id))!.status, 'FAILED');
    const again = await run('compensation');
    assert.equal(again.handled, 0, JSON.stringify(again));
    await node.broker.call('operationLogs.flush', {}, asSystem());
    const logs = await call('GET', '/api/logs?action=TASK_COMPENSATED&limit=50', { token: admin });
    const targets = logs.body.items.map((l: { targetId: string }) => l.targetId).sort();
    assert.deepEqual(targets, [dead.id, lost.id, failed.id].sort());
    const reasons = logs.body.items.map((l: { detail: { reason: string } }) => l.detail.reason).sort();
    assert.deepEqual(reasons, ['JOB_MISSING', 'LEASE_EXPIRED', 'RETRYABLE_FAILURE']);
  });

  it('keeps the event stream of a FAILED export open while a retry follows, and ends a final one', async () => {
    await call('PUT', '/api/scheduled-tasks/compensation', {
      token: admin,
      body: { rule: { minAgeSeconds: 1, cron: '0 0 1 1 *' } },
    });
    const failedWith = (reason: FailureReason) =>
      stuckExport((t, now) => {
        t.start('gone:1:1', new Date(now.getTime() + 60_000), now);
        t.fail(reason, 'x', now);
      }, 5_000);
    const events = async (id: string) => {
      const res = await fetch(`${node.baseUrl}/api/file-tasks/${id}/events`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      assert.equal(res.status, 200);
      return res.body!.getReader();
    };
    const parse = (text: string) =>
      text
        .split('\n\n')
        .filter((b) => b.includes('data: '))
        .map((b) => JSON.parse(/data: (.*)/.exec(b)![1]) as { status: string; willRetry?: boolean });
    const decoder = new TextDecoder();
    const rest = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
      let text = '';
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value);
      return text;
    };

    const fatal = await rest(await events((await failedWith('PERMISSION_REVOKED')).id));
    assert.deepEqual(
      parse(fatal).map((e) => [e.status, e.willRetry]),
      [['FAILED', false]],
    );

    const retried = await failedWith('SOURCE_UNAVAILABLE');
    const reader = await events(retried.id);
    let first = '';
    while (!first.includes('\n\n')) first += decoder.decode((await reader.read()).value);
    assert.deepEqual(
      parse(first).map((e) => [e.status, e.willRetry]),
      [['FAILED', true]],
    );
    // Everything after the first event, read as it comes: keepalive comments (every 15 s) may
    // arrive at any time and are not events.
    let after = '';
    let ended = false;
    const pump = (async () => {
      for (let r = await reader.read(); !r.done; r = await reader.read()) after += decoder.decode(r.value);
      ended = true;
    })();
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(ended, false, 'the stream stays open while the retry is pending');
    assert.deepEqual(parse(after), [], 'no event while nothing happens');
    // Compensation runs the lost retry; its progress reaches the same stream, which ends at SUCCESS.
    await run('compensation');
    await pump;
    const statuses = parse(after).map((e) => e.status);
    assert.equal(statuses[statuses.length - 1], 'SUCCESS', JSON.stringify(statuses));
  });

  it('says in the REST view whether a FAILED export will run again, as its event stream does', async () => {
    // Compensation never runs here (a manual-only rule), so every task stays as inserted.
    await call('PUT', '/api/scheduled-tasks/compensation', {
      token: admin,
      body: { rule: { minAgeSeconds: 3600, cron: '0 0 1 1 *' } },
    });
    /** `attempts` runs, the last one ending as `end` does (EXPORT_MAX_ATTEMPTS is 3 here). */
    const ranOut = (attempts: number, end: (t: FileTask, now: Date) => void) =>
      stuckExport((t, now) => {
        for (let i = 1; i <= attempts; i++) {
          t.start(`gone:${i}:1`, new Date(now.getTime() + 60_000), now);
          if (i < attempts) {
            t.fail('INTERNAL', 'x', now);
            t.retry(now);
          }
        }
        end(t, now);
      });
    const cases = {
      // The queue retries it with backoff.
      retried: await ranOut(1, (t, now) => t.fail('SOURCE_UNAVAILABLE', 'source down', now)),
      // Its last attempt hit an outage: waited out, the attempt given back (failExport).
      outage: await ranOut(3, (t, now) => t.failForOutage('database down', now)),
      spent: await ranOut(3, (t, now) => t.fail('SOURCE_UNAVAILABLE', 'source down', now)),
      fatal: await ranOut(1, (t, now) => t.fail('PERMISSION_REVOKED', 'no', now)),
    };
    const expected = { retried: true, outage: true, spent: false, fatal: false };
    const firstEvent = async (id: string) => {
      const res = await fetch(`${node.baseUrl}/api/file-tasks/${id}/events`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return JSON.parse(/data: (.*)/.exec(text)![1]) as { status: string; willRetry?: boolean };
    };
    const list = await call('GET', '/api/file-tasks?kind=EXPORT&status=FAILED&limit=200', { token: admin });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    for (const [name, t] of Object.entries(cases)) {
      const want = expected[name as keyof typeof expected];
      const got = await call('GET', `/api/file-tasks/${t.id}`, { token: admin });
      assert.equal(got.body.status, 'FAILED', name);
      assert.equal(got.body.export.willRetry, want, name);
      const listed = list.body.items.find((i: { id: string }) => i.id === t.id);
      assert.equal(listed?.export.willRetry, want, `${name} in the list`);
      assert.equal((await firstEvent(t.id)).willRetry, want, `${name} on the event stream`);
    }
    const done = await call('GET', `/api/file-tasks/${template.id}`, { token: admin });
    assert.equal(done.body.export.willRetry, false, 'only a FAILED export waits for a retry');
  });

  it('expires old export files and collects orphans, keeping young objects', async () => {
    const done = await exportDone();
    const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    await db.query('UPDATE file_tasks SET updated_at = ? WHERE id = ?', [sqliteDate(old), done.id]);
    const key = (await repo.find(done.id))!.file!.storageKey;
    const storage = new LocalDiskStorage(path.join(node.dataDir, 'objects'));
    await storage.start();
    const put = (k: string) =>
      storage.put(k, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' });
    await put('exports/order_export/2020-01/01ORPHANOLD.csv');
    await put('files/2020/01/01ORPHANYOUNG');
    const oldFile = path.join(storage.root, 'data', 'exports/order_export/2020-01/01ORPHANOLD.csv');
    fs.utimesSync(oldFile, old, old);
    // A killed writer's partial file, untouched for 20 minutes (> TEMP_FILES_MAX_AGE_MINUTES 15),
    // and one still being written.
    const tmp = path.join(storage.root, '.tmp');
    fs.writeFileSync(path.join(tmp, 'killed-writer'), 'partial');
    fs.writeFileSync(path.join(tmp, 'live-writer'), 'partial');
    const twentyMinutesAgo = new Date(Date.now() - 20 * 60_000);
    fs.utimesSync(path.join(tmp, 'killed-writer'), twentyMinutesAgo, twentyMinutesAgo);
    const r = await run('expiry');
    assert.equal(r.outcome, 'SUCCESS', JSON.stringify(r));
    assert.equal(r.detail.expired, 1, JSON.stringify(r));
    assert.equal(r.detail.orphans, 1, JSON.stringify(r));
    assert.equal(r.detail.temporary, 1, JSON.stringify(r));
    assert.deepEqual(fs.readdirSync(tmp), ['live-writer']);
    fs.rmSync(path.join(tmp, 'live-writer'));
    const t = await call('GET', `/api/file-tasks/${done.id}`, { token: admin });
    assert.equal(t.body.status, 'EXPIRED');
    assert.equal(await storage.head(key), null, 'the expired file is deleted');
    assert.equal(await storage.head('exports/order_export/2020-01/01ORPHANOLD.csv'), null);
    assert.ok(await storage.head('files/2020/01/01ORPHANYOUNG'), 'a young object is kept');
    assert.ok(await storage.head(template.file!.storageKey), 'a live export file is kept');
    await storage.stop();
  });

  it('archives old finished tasks to the cold table and records every run', async () => {
    const gone = await stuckExport((t, now) => t.cancel(now));
    const kept = await stuckExport((t, now) => t.cancel(now));
    const old = new Date(Date.now() - 200 * 24 * 3600 * 1000);
    await db.query('UPDATE file_tasks SET updated_at = ? WHERE id = ?', [sqliteDate(old), gone.id]);
    const r = await run('archival');
    assert.equal(r.outcome, 'SUCCESS', JSON.stringify(r));
    assert.equal(r.detail.fileTasks, 1);
    assert.equal((await call('GET', `/api/file-tasks/${gone.id}`, { token: admin })).status, 404);
    assert.equal((await call('GET', `/api/file-tasks/${kept.id}`, { token: admin })).status, 200);
    const cold = await db.query<{ id: string; status: string }[]>('SELECT id, status FROM file_tasks_cold');
    assert.deepEqual(cold, [{ id: gone.id, status: 'CANCELLED' }]);
    await node.broker.call('operationLogs.flush', {}, asSystem());
    const logs = await call('GET', '/api/logs?action=RECORDS_ARCHIVED', { token: admin });
    assert.equal(logs.body.items[0].detail.count, 1);
    const runs = await call('GET', '/api/scheduled-tasks/archival/runs?limit=1', { token: admin });
    assert.equal(runs.status, 200);
    assert.equal(runs.body.items.length, 1);
    assert.equal(runs.body.items[0].outcome, 'SUCCESS');
    assert.ok(runs.body.items[0].startedAt && runs.body.items[0].finishedAt);
    assert.equal(runs.body.items[0].handled, 1);
    const list = await call('GET', '/api/scheduled-tasks', { token: admin });
    assert.equal(
      list.body.items.find((t: { name: string }) => t.name === 'archival').lastRun.id,
      runs.body.items[0].id,
    );
    assert.equal((await call('GET', '/api/scheduled-tasks/nope/runs', { token: admin })).status, 404);
    assert.equal(
      (await call('GET', '/api/scheduled-tasks/archival/runs?limit=0', { token: admin })).status,
      400,
    );
  });

  it('takes over a redelivered tick whose run is still RUNNING, and finishes it', async () => {
    // expiry scoped to a biz type that does not exist: a run that does nothing, quickly.
    const on = await call('PUT', '/api/scheduled-tasks/expiry', {
      token: admin,
      body: { rule: { bizTypes: ['no_such_type'] } },
    });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    const sched = new TypeormSchedulerRepository(db);
    // A node died mid-run: its run of the tick is RUNNING, and the queue hands the tick out again.
    const tick = `tick${ulidIds.next()}`;
    const dead = await recordRun({ jobId: tick });
    await deliverTick(tick);
    const run = (await sched.runOfTick('expiry', tick))!;
    assert.equal(run.outcome, 'SUCCESS', JSON.stringify(run));
    assert.equal(run.node, node.broker.nodeID);
    assert.notEqual(run.id, dead.id, 'the takeover is a new attempt');
    assert.ok(run.startedAt > dead.startedAt && run.finishedAt);
    assert.deepEqual(interruptedAttempts(run.detail), [
      { runId: dead.id, node: 'dead-node-1', startedAt: dead.startedAt.toISOString(), reason: 'REDELIVERED' },
    ]);
    const [{ n }] = await db.query<{ n: number }[]>(
      'SELECT COUNT(*) AS n FROM scheduled_task_runs WHERE job_id = ?',
      [tick],
    );
    assert.equal(Number(n), 1, 'still one run per tick');
    // The old attempt, had it only stalled, finds its record gone when it ends.
    assert.equal(await sched.finishRun({ ...dead, outcome: 'SUCCESS', finishedAt: new Date() }), false);
    assert.equal((await sched.runOfTick('expiry', tick))!.id, run.id);
    const runs = await call('GET', '/api/scheduled-tasks/expiry/runs?limit=5', { token: admin });
    const listed = runs.body.items.find((r: { id: string }) => r.id === run.id);
    assert.equal(listed.outcome, 'SUCCESS');
    assert.equal(listed.detail.interrupted[0].reason, 'REDELIVERED');
  });

  it('still refuses a tick whose run finished', async () => {
    const sched = new TypeormSchedulerRepository(db);
    const tick = `tick${ulidIds.next()}`;
    const done = await recordRun({ jobId: tick, node: 'old-node' });
    const finishedAt = new Date(Date.now() - 30_000);
    assert.ok(await sched.finishRun({ ...done, finishedAt, handled: 7, outcome: 'SUCCESS' }));
    await deliverTick(tick);
    const run = (await sched.runOfTick('expiry', tick))!;
    assert.deepEqual(
      [run.id, run.node, run.outcome, run.handled],
      [done.id, 'old-node', 'SUCCESS', 7],
      'the finished run is left as it was',
    );
  });

  it('lets one of two racing takers have a RUNNING run', async () => {
    const sched = new TypeormSchedulerRepository(db);
    const prev = await recordRun({ jobId: `tick${ulidIds.next()}` });
    const taker = (node: string): ScheduledTaskRun => ({
      ...prev,
      id: ulidIds.next(),
      node,
      startedAt: new Date(),
    });
    const won = await Promise.all([
      sched.takeOverRun(prev.id, taker('a')),
      sched.takeOverRun(prev.id, taker('b')),
    ]);
    assert.deepEqual(won.filter(Boolean).length, 1, JSON.stringify(won));
    const ended = await sched.finishRun({ ...prev, outcome: 'SUCCESS', finishedAt: new Date() });
    assert.equal(ended, false, 'and the interrupted attempt cannot end it any more');
  });

  it('ends RUNNING runs that no live node will finish, and only those', async () => {
    const sched = new TypeormSchedulerRepository(db);
    const queue = new EmbeddedJobQueue(SCHEDULER_QUEUE, db);
    const self = node.broker.nodeID;
    const goneManual = await recordRun({ trigger: 'manual', node: 'gone-node' });
    const oldSelf = await recordRun({
      trigger: 'manual',
      node: self,
      startedAt: new Date(Date.now() - 3600_000),
    });
    const liveSelf = await recordRun({ trigger: 'manual', node: self, startedAt: new Date() });
    // A tick the queue still holds (here: delayed) is redelivered and taken over: left alone.
    const heldTick = `tick${ulidIds.next()}`;
    await queue.add(SCHEDULED_JOB, { name: 'expiry' }, { jobId: heldTick, delayMs: 3600_000 });
    const held = await recordRun({ jobId: heldTick, node: 'gone-node' });
    // A tick the queue no longer holds will never come back: ended.
    const lost = await recordRun({ jobId: `tick${ulidIds.next()}`, node: 'gone-node' });
    const svc = node.broker.getLocalService('scheduler') as unknown as {
      endOrphanedRuns(): Promise<ScheduledTaskRun[]>;
    };
    await svc.endOrphanedRuns();
    const state = async (r: ScheduledTaskRun) => {
      const [row] = await db.query<{ outcome: string; detail: string }[]>(
        'SELECT outcome, detail FROM scheduled_task_runs WHERE id = ?',
        [r.id],
      );
      const reason = interruptedAttempts(JSON.parse(row.detail) as Record<string, unknown>)[0]?.reason;
      return `${row.outcome}${reason ? ` ${reason}` : ''}`;
    };
    assert.equal(await state(goneManual), 'FAILED NODE_GONE');
    assert.equal(await state(oldSelf), 'FAILED NODE_RESTARTED');
    assert.equal(await state(liveSelf), 'RUNNING');
    assert.equal(await state(held), 'RUNNING');
    assert.equal(await state(lost), 'FAILED NODE_GONE');
    // Ended runs get their real outcome if their node was alive after all.
    assert.ok(await sched.finishRun({ ...goneManual, outcome: 'SUCCESS', finishedAt: new Date() }));
    assert.equal(await state(goneManual), 'SUCCESS');
    assert.ok(await sched.finishRun({ ...liveSelf, outcome: 'SUCCESS', finishedAt: new Date() }));
  });
});

describe('scheduler shutdown', () => {
  it('awaits manual runs still going on after their 202, and records the ones it cuts off', async () => {
    const node = await startTestNode({ DEMO_ORDERS: '100', SHUTDOWN_TIMEOUT_MS: '3000' });
    const original = { archival: JOBS.archival, expiry: JOBS.expiry };
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    // archival waits for the gate, opened once the node is stopping; expiry outlasts any wait.
    JOBS.archival = async (...a) => {
      await gate;
      return original.archival(...a);
    };
    JOBS.expiry = () => new Promise(() => {});
    try {
      const admin = await login(node.baseUrl, 'admin', 'admin');
      const post = (name: string) =>
        http(node.baseUrl, 'POST', `/api/scheduled-tasks/${name}/run`, { token: admin });
      const [a, e] = await Promise.all([post('archival'), post('expiry')]);
      assert.equal(a.status, 202, JSON.stringify(a.body));
      assert.equal(e.status, 202, JSON.stringify(e.body));
      assert.equal(a.body.outcome, 'RUNNING');
      const stopping = node.broker.stop();
      setTimeout(release, 500);
      await stopping;
      const db = await acquireMainDatabase(node.config.database);
      try {
        const runs = new TypeormSchedulerRepository(db);
        const archival = (await runs.runs('archival', 1, null))[0];
        assert.equal(archival.id, a.body.id);
        assert.equal(archival.outcome, 'SUCCESS', JSON.stringify(archival));
        const expiry = (await runs.runs('expiry', 1, null))[0];
        assert.equal(expiry.id, e.body.id);
        assert.equal(expiry.outcome, 'FAILED', JSON.stringify(expiry));
        assert.equal(interruptedAttempts(expiry.detail)[0]?.reason, 'SHUTDOWN');
      } finally {
        await releaseMainDatabase(node.config.database);
      }
    } finally {
      Object.assign(JOBS, original);
      fs.rmSync(node.dataDir, { recursive: true, force: true });
    }
  });
});
