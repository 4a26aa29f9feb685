import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExportSchedule } from '../../../domain/export-schedules/export-schedule';
import type { Firing } from '../../../domain/export-schedules/export-schedule.ports';
import { fireSchedule } from '../../../domain/export-schedules/use-cases/fire-schedule';
import type { ScheduleDeps } from '../../../domain/export-schedules/use-cases/schedule-deps';
import { identityErrors } from '../../../domain/shared/identity.errors';
import type { Principal } from '../../../domain/shared/principal';

const AT = new Date('2026-12-04T02:30:00Z');

/** One schedule over in-memory ports; `owner` answers the directory's lookup of its owner. */
function setup(owner: () => Promise<Principal | null>) {
  const s = ExportSchedule.create({
    id: 'S1',
    ownerId: 'u-alice',
    fields: {
      name: 'nightly',
      bizType: 'orders',
      format: 'csv',
      filters: {},
      columns: null,
      locale: null,
      cron: '30 2 * * *',
      timeZone: 'UTC',
      enabled: true,
    },
    now: AT,
  });
  const firings: Firing[] = [];
  const d = {
    schedules: {
      find: async (id: string) => (id === s.id ? s : null),
      recordFiring: async (_id: string, f: Firing) => void firings.push(f),
    },
    timer: { arm: async () => undefined, disarm: async () => undefined },
    owners: { current: owner },
    exports: {},
    ids: { next: () => 'E1' },
    clock: { now: () => AT },
    outbox: { appended: () => undefined },
    minIntervalSeconds: 0,
  } as unknown as ScheduleDeps;
  return { d, firings };
}

describe('a schedule firing', () => {
  it('records a refusal on the schedule and makes no task', async () => {
    const { d, firings } = setup(async () => null);
    assert.equal(await fireSchedule(d, 'S1', AT, 'cron'), null);
    assert.equal(firings.length, 1);
    assert.match(firings[0].error ?? '', /^SCHEDULE_OWNER_UNAVAILABLE/);
  });

  it('lets an outage propagate, recording nothing, so the queue fires it again', async () => {
    for (const outage of [
      identityErrors.directoryUnavailable(),
      new Error('connect ECONNREFUSED 127.0.0.1:3306'),
    ]) {
      const { d, firings } = setup(async () => {
        throw outage;
      });
      await assert.rejects(fireSchedule(d, 'S1', AT, 'cron'), outage);
      assert.deepEqual(firings, [], `${outage.message}: not a refusal`);
    }
  });
});
