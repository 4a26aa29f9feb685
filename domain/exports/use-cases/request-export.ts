import { FileTask } from '../../file-tasks/file-task';
import type { ExportBizType } from '../../metadata/biz-type';
import { checkBizDomain } from '../../files/upload-fields';
import { unknownBizType } from '../../files/upload-rules';
import { isShortCode } from '../../shared/identifiers';
import type { Principal } from '../../shared/principal';
import { ExportErrors } from '../export.errors';
import { exportFileName } from '../export-naming';
import { exportSpec, parseExportRequest, rowScopeUnits, type ExportRequest } from '../export-request';
import { admitExport, type ExportAdmission } from './admit-export';
import { committing, exportEvent, type ExportActor, type ExportDeps } from './export-deps';

export type RequestExportDeps = Pick<
  ExportDeps,
  'tasks' | 'jobs' | 'bizTypes' | 'permissions' | 'outbox' | 'ids' | 'clock'
> & {
  /** DEFAULT_TIME_ZONE: the zone when neither the request nor the biz type names one (null: UTC). */
  defaultTimeZone?: string | null;
  /** Row limits, the daily quota and the waiting reason of new requests; absent: none checked. */
  admission?: ExportAdmission;
};

/** The raw request body of `POST /api/exports`; the domain validates it against the biz type. */
export interface RequestExportInput {
  bizType: string;
  bizDomain?: unknown;
  format?: unknown;
  filters?: unknown;
  columns?: unknown;
  idempotencyKey?: unknown;
  /** IANA zone of datetime cells and filters (API.md "Export options"). */
  timeZone?: unknown;
  /** Language of headers and labels, e.g. zh-CN. */
  locale?: unknown;
}

/** Where a request came from when not straight from its requester: the schedule that fired it. */
export interface ExportOrigin {
  scheduleId?: string;
}

/**
 * API.md "Exports": validates the request against the biz type and the requester's grants, then
 * answers the same task for a repeated idempotency key (whatever its state) or an identical
 * request still in flight, else stores a PENDING task with its EXPORT_REQUESTED event in one
 * transaction and enqueues its job.
 */
export async function requestExport(
  d: RequestExportDeps,
  user: Principal,
  actor: ExportActor,
  input: RequestExportInput,
  origin: ExportOrigin = {},
): Promise<FileTask> {
  const b = await exportBizType(d, input.bizType);
  const { subject, grants, unitPaths } = await d.permissions.inputs(user);
  const req = parseExportRequest(
    b,
    input as unknown as Record<string, unknown>,
    subject,
    grants,
    d.defaultTimeZone ?? null,
  );

  if (req.idempotencyKey) {
    const same = await sameKey(d, user, req);
    if (same) return same;
  }
  // Merged only without a key: a keyed request is stored under its key, so repeating the key
  // later still finds it.
  const inFlight = req.idempotencyKey ? null : await d.tasks.findInFlight(user.id, req.requestHash);
  if (inFlight) return inFlight;

  const now = d.clock.now();
  const units = rowScopeUnits(b, user, unitPaths);
  const admitted = d.admission ? await admitExport(d.admission, b, user, req, units, now) : null;
  const task = FileTask.exportRequested({
    id: d.ids.next(),
    bizType: b.code,
    bizDomain: checkBizDomain(input.bizDomain),
    name: exportFileName(b, req.format, now),
    createdBy: user.id,
    unitId: user.unitId,
    unitPath: subject.unitPath,
    format: req.format,
    spec: {
      ...exportSpec(req, user, units),
      ...(origin.scheduleId ? { scheduleId: origin.scheduleId } : {}),
    },
    idempotencyKey: req.idempotencyKey,
    requestHash: req.requestHash,
    now,
    waitingReason: admitted?.waitingReason ?? null,
    estimatedRows: admitted?.estimatedRows ?? null,
  });
  const requested = exportEvent(d, actor, 'EXPORT_REQUESTED', task, {
    format: req.format,
    filters: req.filters,
    columns: req.columns,
    timeZone: req.timeZone,
    locale: req.locale,
    ...(origin.scheduleId ? { scheduleId: origin.scheduleId } : {}),
  });
  try {
    await committing(d, () => d.tasks.insert(task, [requested]));
  } catch (e) {
    // Two requests with one idempotency key raced: the loser answers the winner's task.
    const same = req.idempotencyKey ? await sameKey(d, user, req) : null;
    if (!same) throw e;
    return same;
  }
  // A crash between the insert and this add leaves a PENDING task with no job: the compensation
  // job finds it and enqueues it (same job id, so never twice).
  await d.jobs.enqueue(task);
  return task;
}

/** The export biz type a request names (400 when it names none, an unknown one or a FILE type). */
export async function exportBizType(
  d: Pick<RequestExportDeps, 'bizTypes'>,
  code: string | undefined,
): Promise<ExportBizType> {
  if (!code) throw ExportErrors.bizTypeRequired();
  if (!isShortCode(code)) throw unknownBizType(code);
  const b = await d.bizTypes.find(code);
  if (!b) throw unknownBizType(code);
  if (b.kind !== 'EXPORT') throw ExportErrors.notExportable(code);
  return b;
}

/** The task stored under the request's idempotency key; a different request under it is a conflict. */
async function sameKey(d: RequestExportDeps, user: Principal, req: ExportRequest): Promise<FileTask | null> {
  const same = await d.tasks.findByIdempotencyKey(user.id, req.idempotencyKey!);
  // The hash covers the biz type, format, filters and columns.
  if (same && same.exportAttrs.requestHash !== req.requestHash) throw ExportErrors.idempotencyKeyReused();
  return same;
}
