import { isAdmin, type Principal } from '../../shared/principal';
import { exportBizType } from '../../exports/use-cases/request-export';
import { parseExportRequest } from '../../exports/export-request';
import { ExportSchedule, parseScheduleFields, type ScheduleFields } from '../export-schedule';
import { ExportScheduleErrors } from '../export-schedule.errors';
import { resolveFilters } from '../relative-filters';
import { scheduleEvent, visibleSchedule, type ScheduleActor, type ScheduleDeps } from './schedule-deps';

/**
 * The export a schedule describes, judged now for `owner` (relative filters resolved at this
 * instant): a schedule whose biz type, format, filters or columns could never work is refused
 * when it is written, not discovered at 3 a.m. The firing judges it again, as things are then.
 */
async function checkRequest(d: ScheduleDeps, owner: Principal, f: ScheduleFields): Promise<void> {
  const b = await exportBizType(d.exports, f.bizType);
  const { subject, grants } = await d.exports.permissions.inputs(owner);
  parseExportRequest(
    b,
    {
      format: f.format,
      filters: resolveFilters(f.filters, d.clock.now(), f.timeZone),
      columns: f.columns,
      timeZone: f.timeZone,
      locale: f.locale,
    },
    subject,
    grants,
    d.exports.defaultTimeZone ?? null,
  );
}

const changed = (f: ScheduleFields) => ({ ...f });

/** POST /api/export-schedules: the caller owns the new schedule. */
export async function createSchedule(
  d: ScheduleDeps,
  user: Principal,
  actor: ScheduleActor,
  input: Record<string, unknown>,
): Promise<ExportSchedule> {
  const now = d.clock.now();
  const fields = parseScheduleFields(input, null, { minIntervalSeconds: d.minIntervalSeconds, now });
  await checkRequest(d, user, fields);
  const s = ExportSchedule.create({ id: d.ids.next(), ownerId: user.id, fields, now });
  const event = scheduleEvent(d, actor, 'EXPORT_SCHEDULE_CHANGED', s, { op: 'CREATED', ...changed(fields) });
  await d.schedules.insert(s, [event]);
  d.outbox.appended();
  await d.timer.arm(s);
  return s;
}

/** PATCH /api/export-schedules/:id by its owner or an admin; the owner stays. */
export async function updateSchedule(
  d: ScheduleDeps,
  user: Principal,
  actor: ScheduleActor,
  id: string,
  input: Record<string, unknown>,
): Promise<ExportSchedule> {
  const s = await visibleSchedule(d, user, id);
  const before = s.fields();
  const from = s.version;
  const fields = parseScheduleFields(input, before, {
    minIntervalSeconds: d.minIntervalSeconds,
    now: d.clock.now(),
  });
  // Judged for the owner, as the firing will be; an admin's edit of a gone owner's schedule is not.
  const owner = s.ownerId === user.id ? user : await d.owners.current(s.ownerId);
  if (owner) await checkRequest(d, owner, fields);
  s.change(fields, d.clock.now());
  const event = scheduleEvent(d, actor, 'EXPORT_SCHEDULE_CHANGED', s, {
    op: 'UPDATED',
    before: changed(before),
    ...changed(fields),
  });
  if (!(await d.schedules.update(s, from, [event]))) throw ExportScheduleErrors.concurrentChange();
  d.outbox.appended();
  await d.timer.arm(s);
  return s;
}

/** DELETE /api/export-schedules/:id by its owner or an admin. Tasks it made stay. */
export async function removeSchedule(
  d: ScheduleDeps,
  user: Principal,
  actor: ScheduleActor,
  id: string,
): Promise<void> {
  const s = await visibleSchedule(d, user, id);
  const event = scheduleEvent(d, actor, 'EXPORT_SCHEDULE_CHANGED', s, {
    op: 'DELETED',
    ...changed(s.fields()),
  });
  if (!(await d.schedules.delete(s.id, s.version, [event]))) throw ExportScheduleErrors.concurrentChange();
  d.outbox.appended();
  await d.timer.disarm(s.id);
}

/** GET /api/export-schedules: the caller's own, an admin's everybody's; newest first. */
export async function listSchedules(
  d: Pick<ScheduleDeps, 'schedules'>,
  user: Principal,
  page: { limit: number; beforeId: string | null },
): Promise<{ items: ExportSchedule[]; nextBeforeId: string | null }> {
  const rows = await d.schedules.list({
    ownerId: isAdmin(user) ? null : user.id,
    beforeId: page.beforeId,
    limit: page.limit + 1,
  });
  const items = rows.slice(0, page.limit);
  return { items, nextBeforeId: rows.length > page.limit ? items[items.length - 1].id : null };
}
