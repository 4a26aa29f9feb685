import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import type { OutboxHint } from '../../ports/outbox.port';
import { actorEvent, type Actor, type DomainEvent } from '../../shared/domain-event';
import { isAdmin, type Principal } from '../../shared/principal';
import type { RequestExportDeps } from '../../exports/use-cases/request-export';
import type { ExportSchedule } from '../export-schedule';
import { ExportScheduleErrors } from '../export-schedule.errors';
import type { ExportScheduleRepository, OwnerLookup, ScheduleTimer } from '../export-schedule.ports';

/** Everything the schedule use cases reach outside the domain, as ports. */
export interface ScheduleDeps {
  schedules: ExportScheduleRepository;
  timer: ScheduleTimer;
  owners: OwnerLookup;
  /** Requesting the export a firing makes (and checking a schedule's request when it is written). */
  exports: RequestExportDeps;
  ids: IdGenerator;
  clock: Clock;
  outbox: OutboxHint;
  /** EXPORT_SCHEDULE_MIN_INTERVAL_SECONDS. */
  minIntervalSeconds: number;
}

/** Who asks, for the operation log. */
export type ScheduleActor = Actor;

/** An operation log event about an export schedule. */
export const scheduleEvent = (
  d: Pick<ScheduleDeps, 'ids' | 'clock'>,
  actor: ScheduleActor,
  type: string,
  s: ExportSchedule,
  detail: Record<string, unknown>,
  outcome: 'SUCCESS' | 'FAILURE' = 'SUCCESS',
): DomainEvent =>
  actorEvent(d, actor, {
    type,
    targetType: 'EXPORT_SCHEDULE',
    targetId: s.id,
    bizType: s.fields().bizType,
    outcome,
    detail,
  });

/** The schedule if `user` may see and change it (its owner, or an admin); else 404. */
export async function visibleSchedule(
  d: Pick<ScheduleDeps, 'schedules'>,
  user: Principal,
  id: string,
): Promise<ExportSchedule> {
  const s = await d.schedules.find(id);
  if (!s || (s.ownerId !== user.id && !isAdmin(user))) throw ExportScheduleErrors.hidden();
  return s;
}
