import { CronExpressionParser } from 'cron-parser';
import { checkCron } from '../scheduler/cron';
import { isShortCode } from '../shared/identifiers';
import { parseLocale } from '../shared/locale';
import { parseTimeZone } from '../shared/time-zone';
import { ExportScheduleErrors } from './export-schedule.errors';
import { checkRelativeFilters } from './relative-filters';

/**
 * ExportSchedule (API.md "Recurring exports"): an export its owner wants made again and again, at
 * each tick of `cron` read in `timeZone`. The export itself is judged when it fires, against the
 * biz type and the owner's grants as they are then; the schedule keeps the request as written.
 */
export interface ExportScheduleProps extends ScheduleFields {
  id: string;
  ownerId: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The latest firing: when, the task it made, or why it made none. */
  lastFiredAt: Date | null;
  lastTaskId: string | null;
  lastError: string | null;
}

/** The fields a caller writes (POST all of them, PATCH some). */
export interface ScheduleFields {
  name: string;
  bizType: string;
  format: string;
  /** As written: values may be relative (`{"$relative": "-P1D", "$startOf": "day"}`). */
  filters: Record<string, unknown>;
  /** null: every column the owner may export at firing time. */
  columns: string[] | null;
  locale: string | null;
  cron: string;
  /** IANA zone of the cron, of relative filters and of the export's datetime cells. */
  timeZone: string;
  enabled: boolean;
}

const FIELDS = ['name', 'bizType', 'format', 'filters', 'columns', 'locale', 'cron', 'timeZone', 'enabled'];
const REQUIRED = ['name', 'bizType', 'format', 'cron', 'timeZone'];
const bad = ExportScheduleErrors.invalid;

/** The shortest gap between two firings a cron may have (EXPORT_SCHEDULE_MIN_INTERVAL_SECONDS). */
function checkInterval(cron: string, zone: string, minSeconds: number, now: Date): void {
  if (minSeconds <= 0) return;
  const it = CronExpressionParser.parse(cron, { currentDate: now, tz: zone });
  let prev = it.next().toDate().getTime();
  // A few consecutive gaps: "0,1 * * * *" is as frequent as "* * * * *" for two of them.
  for (let i = 0; i < 5; i++) {
    const next = it.next().toDate().getTime();
    if (next - prev < minSeconds * 1000)
      throw bad('cron', `cron fires more often than every ${minSeconds} seconds`);
    prev = next;
  }
}

/**
 * Validates a caller's fields: all of them on create (`current` null), those given on a change
 * (merged over `current`). Unknown fields are refused.
 */
export function parseScheduleFields(
  input: Record<string, unknown>,
  current: ScheduleFields | null,
  opts: { minIntervalSeconds: number; now: Date },
): ScheduleFields {
  for (const k of Object.keys(input))
    if (!FIELDS.includes(k) && input[k] !== undefined) throw bad(k, `${k} is not a field of a schedule`);
  if (!current)
    for (const k of REQUIRED)
      if (input[k] === undefined || input[k] === null) throw bad(k, `${k} is required`);
  const out: ScheduleFields = current
    ? { ...current }
    : {
        name: '',
        bizType: '',
        format: '',
        filters: {},
        columns: null,
        locale: null,
        cron: '',
        timeZone: '',
        enabled: true,
      };
  const has = (k: string) => input[k] !== undefined;
  if (has('name')) {
    const n = input.name;
    if (typeof n !== 'string' || n.trim().length === 0 || n.trim().length > 100)
      throw bad('name', 'name must be 1 to 100 characters');
    out.name = n.trim();
  }
  if (has('bizType')) {
    if (!isShortCode(input.bizType)) throw bad('bizType', 'bizType must be a biz type code');
    out.bizType = input.bizType;
  }
  if (has('format')) {
    if (typeof input.format !== 'string' || input.format.length === 0 || input.format.length > 16)
      throw bad('format', 'format must be a format code such as xlsx');
    out.format = input.format;
  }
  if (has('filters')) {
    const f = input.filters ?? {};
    if (typeof f !== 'object' || Array.isArray(f)) throw bad('filters', 'filters must be an object');
    if (JSON.stringify(f).length > 20_000) throw bad('filters', 'filters are too large');
    checkRelativeFilters(f as Record<string, unknown>);
    out.filters = f as Record<string, unknown>;
  }
  if (has('columns')) {
    const c = input.columns;
    if (
      c !== null &&
      (!Array.isArray(c) || c.length === 0 || c.length > 200 || c.some((x) => typeof x !== 'string'))
    )
      throw bad('columns', 'columns must be a non-empty list of column keys, or null');
    out.columns = c === null ? null : [...(c as string[])];
  }
  if (has('locale')) out.locale = parseLocale(input.locale, 'locale');
  if (has('timeZone')) {
    const zone = parseTimeZone(input.timeZone, 'timeZone');
    if (!zone) throw bad('timeZone', 'timeZone is required');
    out.timeZone = zone;
  }
  if (has('cron')) {
    if (typeof input.cron !== 'string' || input.cron.length > 100) throw bad('cron', 'cron must be a string');
    out.cron = input.cron.trim().replace(/\s+/g, ' ');
  }
  if (has('enabled')) {
    if (typeof input.enabled !== 'boolean') throw bad('enabled', 'enabled must be true or false');
    out.enabled = input.enabled;
  }
  if (has('cron') || has('timeZone')) {
    checkCron(out.cron, out.timeZone);
    checkInterval(out.cron, out.timeZone, opts.minIntervalSeconds, opts.now);
  }
  return out;
}

export class ExportSchedule {
  private constructor(private props: ExportScheduleProps) {}

  static create(p: { id: string; ownerId: string; fields: ScheduleFields; now: Date }): ExportSchedule {
    return new ExportSchedule({
      id: p.id,
      ownerId: p.ownerId,
      ...p.fields,
      version: 1,
      createdAt: p.now,
      updatedAt: p.now,
      lastFiredAt: null,
      lastTaskId: null,
      lastError: null,
    });
  }

  static restore(props: ExportScheduleProps): ExportSchedule {
    return new ExportSchedule({ ...props });
  }

  get id() {
    return this.props.id;
  }
  get ownerId() {
    return this.props.ownerId;
  }
  get enabled() {
    return this.props.enabled;
  }
  get version() {
    return this.props.version;
  }
  get cron() {
    return this.props.cron;
  }
  get timeZone() {
    return this.props.timeZone;
  }

  fields(): ScheduleFields {
    const p = this.props;
    return {
      name: p.name,
      bizType: p.bizType,
      format: p.format,
      filters: p.filters,
      columns: p.columns,
      locale: p.locale,
      cron: p.cron,
      timeZone: p.timeZone,
      enabled: p.enabled,
    };
  }

  /** A change by its owner or an admin: new fields, version bumped. */
  change(fields: ScheduleFields, now: Date): void {
    this.props = { ...this.props, ...fields, version: this.props.version + 1, updatedAt: now };
  }

  snapshot(): Readonly<ExportScheduleProps> {
    return { ...this.props };
  }

  toView(nextRunAt: Date | null) {
    const p = this.props;
    return {
      id: p.id,
      ownerId: p.ownerId,
      ...this.fields(),
      version: p.version,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
      nextRunAt: nextRunAt ? nextRunAt.toISOString() : null,
      lastFiredAt: p.lastFiredAt ? p.lastFiredAt.toISOString() : null,
      lastTaskId: p.lastTaskId,
      lastError: p.lastError,
    };
  }
}
