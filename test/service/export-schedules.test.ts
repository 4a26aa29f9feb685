import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'moleculer';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { eventually } from '../support/cluster';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { EmbeddedJobQueue } from '../../mixins/queue/embedded.queue';
import { EXPORT_SCHEDULE_QUEUE } from '../../mixins/export-schedules/schedule-timer';
import { identityErrors } from '../../domain/shared/identity.errors';

/** Polls until `probe` answers a value (eventually's null-means-not-yet, with falsy values too). */
const until = <T>(what: string, probe: () => Promise<T | null | undefined | false>) =>
  eventually(what, 30_000, async () => (await probe()) || null);

type Fire = (id: string, at: Date) => Promise<{ toView(): Record<string, any> } | null>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Recurring exports (API.md "Recurring exports") on the embedded node. The firing instant is the
 * test's to choose (the service's fireAt, what a tick's job calls): relative filters resolve at it
 * in the schedule's zone, one firing makes one task, and the owner's grants are read at each firing.
 */
describe('export schedules', () => {
  let node: TestNode;
  let admin = '';
  let alice = '';
  let bob = '';
  let grantId = '';
  let id = '';
  const api = (token: string, method: string, url: string, body?: unknown) =>
    http(node.baseUrl, method, url, { token, body });
  const fireAt = (sid: string, at: Date) =>
    (node.broker.getLocalService('exportSchedules') as Service & { fireAt: Fire }).fireAt(sid, at);
  const grant = async () => {
    const r = await api(admin, 'POST', '/api/permissions', {
      bizType: 'order_export',
      type: 'ROLE',
      subject: 'FINANCE',
      actions: ['read', 'download', 'export'],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    grantId = r.body.id;
  };
  const schedule = {
    name: 'Yesterday in Shanghai',
    bizType: 'order_export',
    format: 'csv',
    filters: {
      createdFrom: { $relative: '-P1D', $startOf: 'day' },
      createdTo: { $relative: 'PT0S', $startOf: 'day' },
      status: [1, 2],
    },
    cron: '30 2 * * *',
    timeZone: 'Asia/Shanghai',
  };

  before(async () => {
    node = await startTestNode({
      DEMO_ORDERS: '300',
      LOG_RELAY_INTERVAL_MS: '50',
      EXPORT_SCHEDULE_MIN_INTERVAL_SECONDS: '2',
    });
    admin = await login(node.baseUrl, 'admin', 'admin');
    alice = await login(node.baseUrl, 'alice', 'demo-pass-1');
    bob = await login(node.baseUrl, 'bob', 'demo-pass-1');
    await grant();
  });
  after(() => node?.stop());

  it('creates a schedule owned by the caller and refuses bad input with clear codes', async () => {
    const r = await api(alice, 'POST', '/api/export-schedules', schedule);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    id = r.body.id;
    const me = (await api(alice, 'GET', '/api/auth/me')).body;
    assert.equal(r.body.ownerId, me.id);
    assert.equal(r.body.enabled, true);
    assert.deepEqual(r.body.filters, schedule.filters, 'kept as written, relative values unresolved');
    assert.ok(r.body.nextRunAt, 'an enabled schedule says when it fires next');

    const bad = async (patch: Record<string, unknown>, code: string) => {
      const b = await api(alice, 'POST', '/api/export-schedules', { ...schedule, ...patch });
      assert.equal(b.status, 400, JSON.stringify(b.body));
      assert.equal(b.body.error.code, code, JSON.stringify(b.body));
    };
    await bad({ cron: 'every day' }, 'INVALID_CRON');
    await bad({ timeZone: 'Mars/Olympus' }, 'INVALID_TIME_ZONE');
    await bad({ cron: '* * * * * *' }, 'INVALID_SCHEDULE'); // more often than the minimum interval
    await bad({ filters: { createdFrom: { $relative: 'yesterday' } } }, 'INVALID_RELATIVE_FILTER');
    await bad(
      { filters: { createdFrom: { $relative: '-P1D', $startOf: 'year' } } },
      'INVALID_RELATIVE_FILTER',
    );
    await bad({ filters: { nope: 1 } }, 'UNKNOWN_FILTER'); // judged against the biz type up front
    await bad({ format: 'pdf' }, 'UNSUPPORTED_FORMAT');
    const missing = await api(alice, 'POST', '/api/export-schedules', { ...schedule, cron: undefined });
    assert.equal(missing.status, 400);
    // bob holds no export grant on order_export.
    const denied = await api(bob, 'POST', '/api/export-schedules', schedule);
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
  });

  it('shows a schedule to its owner and admins only', async () => {
    assert.equal((await api(bob, 'GET', `/api/export-schedules/${id}`)).status, 404);
    assert.equal((await api(bob, 'PATCH', `/api/export-schedules/${id}`, { enabled: false })).status, 404);
    assert.equal((await api(bob, 'GET', '/api/export-schedules')).body.items.length, 0);
    assert.equal((await api(alice, 'GET', '/api/export-schedules')).body.items.length, 1);
    const all = await api(admin, 'GET', '/api/export-schedules');
    assert.deepEqual(
      all.body.items.map((s: { id: string }) => s.id),
      [id],
    );
  });

  it('resolves relative filters at the firing time in the schedule zone, one task per firing', async () => {
    // 18:30 UTC on 10 March is 02:30 on 11 March in Shanghai: "yesterday" there is 10 March.
    const at = new Date('2026-03-10T18:30:00Z');
    const task = (await fireAt(id, at))!.toView();
    assert.equal(task.status, 'PENDING');
    assert.equal(task.export.scheduleId, id);
    assert.equal(task.export.timeZone, 'Asia/Shanghai');
    assert.deepEqual(task.export.filters, {
      createdFrom: '2026-03-09T16:00:00.000Z', // 10 March 00:00 +08:00
      createdTo: '2026-03-10T16:00:00.000Z', // 11 March 00:00 +08:00
      status: [1, 2],
    });
    const again = (await fireAt(id, at))!.toView();
    assert.equal(again.id, task.id, 'the same firing twice (two nodes, a redelivered tick) makes one task');
    const next = (await fireAt(id, new Date('2026-03-11T18:30:00Z')))!.toView();
    assert.notEqual(next.id, task.id);
    assert.equal(next.export.filters.createdFrom, '2026-03-10T16:00:00.000Z');
    const s = (await api(alice, 'GET', `/api/export-schedules/${id}`)).body;
    assert.equal(s.lastTaskId, next.id);
    assert.equal(s.lastFiredAt, '2026-03-11T18:30:00.000Z');
    const done = await until('the scheduled export to finish', async () => {
      const t = (await api(alice, 'GET', `/api/file-tasks/${task.id}`)).body;
      return t.status === 'SUCCESS' || t.status === 'FAILED' ? t : null;
    });
    assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
    assert.equal(done.export.scheduleId, id);
  });

  it('fires nothing while disabled, and re-checks the owner grants at each firing', async () => {
    const off = await api(alice, 'PATCH', `/api/export-schedules/${id}`, { enabled: false });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.equal(off.body.enabled, false);
    assert.equal(off.body.nextRunAt, null);
    assert.equal(await fireAt(id, new Date('2026-03-12T18:30:00Z')), null);
    assert.equal((await api(alice, 'PATCH', `/api/export-schedules/${id}`, { enabled: true })).status, 200);

    assert.equal((await api(admin, 'DELETE', `/api/permissions/${grantId}`)).status, 204);
    assert.equal(await fireAt(id, new Date('2026-03-13T18:30:00Z')), null, 'no task once the grant is gone');
    const s = (await api(alice, 'GET', `/api/export-schedules/${id}`)).body;
    assert.match(s.lastError, /EXPORT_NOT_ALLOWED/);
    assert.equal(s.lastTaskId, null);
    const manual = await api(alice, 'POST', `/api/export-schedules/${id}/run`);
    assert.equal(manual.status, 403, JSON.stringify(manual.body));

    await grant();
    const run = await api(alice, 'POST', `/api/export-schedules/${id}/run`);
    assert.equal(run.status, 202, JSON.stringify(run.body));
    assert.equal(run.body.export.scheduleId, id);
    const failed = await until('EXPORT_SCHEDULE_FAILED logged', async () => {
      const l = await api(admin, 'GET', `/api/logs?action=EXPORT_SCHEDULE_FAILED&targetId=${id}`);
      return l.body.items?.length ? l.body.items : null;
    });
    assert.equal(failed[0].outcome, 'FAILURE');
  });

  it("applies the biz type's request-time limits to a firing (rules.maxRows), as to a request", async () => {
    const original = (await api(admin, 'GET', '/api/biz-types/order_export')).body.rules;
    const setRules = async (rules: Record<string, unknown>) => {
      const def = (await api(admin, 'GET', '/api/biz-types/order_export')).body;
      const put = await api(admin, 'PUT', '/api/biz-types/order_export', { ...def, rules });
      assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
      // Biz types are cached: wait until requests see the new rules.
      await until('the new rules', async () => {
        const p = await api(admin, 'POST', '/api/exports/preview', { bizType: 'order_export' });
        return (p.body.maxRows === 1) === (rules.maxRows === 1);
      });
    };
    // Every order: more rows than the limit below.
    const all = await api(alice, 'POST', '/api/export-schedules', {
      ...schedule,
      name: 'Everything',
      filters: {},
    });
    assert.equal(all.status, 201, JSON.stringify(all.body));
    await setRules({ ...original, maxRows: 1 });
    try {
      assert.equal(await fireAt(all.body.id, new Date('2026-03-14T18:30:00Z')), null, 'no task past maxRows');
      const s = (await api(alice, 'GET', `/api/export-schedules/${all.body.id}`)).body;
      assert.match(s.lastError, /EXPORT_TOO_MANY_ROWS/);
    } finally {
      await setRules(original);
    }
  });

  it('fires on its cron ticks through the queue', async () => {
    const r = await api(alice, 'POST', '/api/export-schedules', {
      ...schedule,
      name: 'every two seconds',
      cron: '*/2 * * * * *',
      timeZone: 'America/New_York',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const fired = await until('a tick to fire', async () => {
      const s = (await api(alice, 'GET', `/api/export-schedules/${r.body.id}`)).body;
      return s.lastTaskId ? s : null;
    });
    const t = (await api(alice, 'GET', `/api/file-tasks/${fired.lastTaskId}`)).body;
    assert.equal(t.export.scheduleId, r.body.id);
    // The tick's own instant (a whole even second), not whenever a worker got to it.
    assert.equal(new Date(fired.lastFiredAt).getTime() % 2000, 0);
    assert.equal((await api(alice, 'DELETE', `/api/export-schedules/${r.body.id}`)).status, 204);
  });

  it('fires a tick again through the queue when it failed on an outage, recording no refusal', async () => {
    const svc = node.broker.getLocalService('exportSchedules') as Service & { fireAt: Fire };
    const original = svc.fireAt;
    let first: Date | null = null;
    let calls = 0;
    // The first tick's firing finds the directory unreachable, as fireSchedule reports it; later
    // ticks are left out, so only the retry of the first can make a task.
    svc.fireAt = async (sid, at) => {
      if (!first) {
        first = at;
        throw identityErrors.directoryUnavailable();
      }
      if (at.getTime() !== first.getTime()) return null;
      calls++;
      return original(sid, at);
    };
    const r = await api(alice, 'POST', '/api/export-schedules', {
      ...schedule,
      name: 'after an outage',
      cron: '*/2 * * * * *',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const sid: string = r.body.id;
    const db = await acquireMainDatabase(node.config.database);
    try {
      const fired = await until('the retried firing', async () => {
        const s = (await api(alice, 'GET', `/api/export-schedules/${sid}`)).body;
        return s.lastTaskId ? s : null;
      });
      assert.equal(fired.lastError, null, 'an outage is not a refusal');
      assert.equal(fired.lastFiredAt, first!.toISOString(), 'the retry fires the tick it stands for');
      assert.equal(calls, 1);
      const queue = new EmbeddedJobQueue(EXPORT_SCHEDULE_QUEUE, db);
      const retry = await queue.getJob(`xs-retry-${sid}-${first!.getTime()}`);
      assert.equal(retry?.state, 'completed');
    } finally {
      assert.equal((await api(alice, 'DELETE', `/api/export-schedules/${sid}`)).status, 204);
      svc.fireAt = original;
      await releaseMainDatabase(node.config.database);
    }
  });

  it('deletes a schedule and logs every change as EXPORT_SCHEDULE_CHANGED', async () => {
    assert.equal((await api(alice, 'DELETE', `/api/export-schedules/${id}`)).status, 204);
    assert.equal((await api(alice, 'GET', `/api/export-schedules/${id}`)).status, 404);
    assert.equal((await api(alice, 'POST', `/api/export-schedules/${id}/run`)).status, 404);
    const ops = await until('the changes logged', async () => {
      const l = await api(admin, 'GET', `/api/logs?action=EXPORT_SCHEDULE_CHANGED&targetId=${id}`);
      return l.body.items?.length >= 4 ? l.body.items : null;
    });
    assert.deepEqual(ops.map((e: { detail: { op: string } }) => e.detail.op).sort(), [
      'CREATED',
      'DELETED',
      'UPDATED',
      'UPDATED',
    ]);
  });
});
