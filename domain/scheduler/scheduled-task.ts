import { isShortCode } from '../shared/identifiers';
import { checkCron } from './cron';
import { SchedulerErrors } from './scheduler.errors';
import { ValidationErrors } from '../shared/validation.errors';

/** The kinds of job the scheduler knows; each has its own code in mixins/scheduler. */
export const JOB_KINDS = ['compensation', 'archival', 'expiry'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const isJobKind = (s: unknown): s is JobKind => (JOB_KINDS as readonly unknown[]).includes(s);

/**
 * The built-in jobs, one of each kind and named after it: installed on every start, never deleted.
 * Admins add more jobs of any kind under names of their own (API.md "Lifecycle rules per biz type").
 */
export const JOB_NAMES = JOB_KINDS;
export type JobName = JobKind;
export const isJobName = (s: string): s is JobName => isJobKind(s);

/** A job's name: a key in queue job ids and run records, so lower case, digits and dashes only. */
export const JOB_NAME = /^[a-z][a-z0-9-]{0,47}$/;

/** The file task statuses archival may move (SUCCESS holds bytes: expiry first). */
export const ARCHIVABLE_STATUSES = ['EXPIRED', 'FAILED', 'CANCELLED'] as const;
export type ArchivableStatus = (typeof ARCHIVABLE_STATUSES)[number];

/**
 * ScheduledTaskRule (a value object): when a job fires and how much one run may do. The common
 * part is the same for every job; the optional fields apply to one job each and are null when
 * that job's default applies (the retention defaults come from the environment).
 */
export interface ScheduledTaskRule {
  /** 5 fields, or 6 with seconds first. */
  cron: string;
  /** IANA zone the cron is read in; null: the server's local time. */
  timezone: string | null;
  /** Biz type codes the job works on; empty: all. */
  bizTypes: string[];
  /** Rows per batch: one transaction (archival), one query page (compensation, expiry). */
  batchSize: number;
  /** Items one run handles at most; the next run carries on. */
  maxItems: number;
  /** compensation: PENDING or FAILED tasks must be unchanged this long before they count as stuck. */
  minAgeSeconds: number | null;
  /** archival: file tasks older than this (since their last update) move to the cold table. */
  fileTaskRetentionDays: number | null;
  /** archival: operation log entries older than this move to the cold table. */
  logRetentionDays: number | null;
  /**
   * archival: file tasks older than this many days (since their last update) move; API.md's name,
   * taking precedence over fileTaskRetentionDays when both are set.
   */
  olderThanDays: number | null;
  /** archival: only file tasks in these statuses move; null: every archivable status. */
  statuses: ArchivableStatus[] | null;
  /** expiry: objects with no record are deleted only when older than this (uploads in flight). */
  orphanMinAgeMinutes: number | null;
}

/** Which optional fields each job reads; the others must stay null. */
const JOB_FIELDS: Record<JobKind, (keyof ScheduledTaskRule)[]> = {
  compensation: ['minAgeSeconds'],
  archival: ['fileTaskRetentionDays', 'logRetentionDays', 'olderThanDays', 'statuses'],
  expiry: ['orphanMinAgeMinutes'],
};
const OPTIONAL_BOUNDS: Record<string, [number, number]> = {
  minAgeSeconds: [0, 7 * 24 * 3600],
  fileTaskRetentionDays: [1, 36_500],
  logRetentionDays: [1, 36_500],
  olderThanDays: [1, 36_500],
  orphanMinAgeMinutes: [1, 525_600],
};
const COMMON = ['cron', 'timezone', 'bizTypes', 'batchSize', 'maxItems'];

export const DEFAULT_RULES: Record<JobKind, ScheduledTaskRule> = {
  compensation: rule('* * * * *', { batchSize: 100, maxItems: 1_000, minAgeSeconds: 60 }),
  archival: rule('30 2 * * *', { batchSize: 2_000, maxItems: 10_000_000 }),
  expiry: rule('0 3 * * *', { batchSize: 500, maxItems: 100_000, orphanMinAgeMinutes: 60 }),
};

function rule(cron: string, p: Partial<ScheduledTaskRule>): ScheduledTaskRule {
  return {
    cron,
    timezone: null,
    bizTypes: [],
    batchSize: 500,
    maxItems: 1_000,
    minAgeSeconds: null,
    fileTaskRetentionDays: null,
    logRetentionDays: null,
    olderThanDays: null,
    statuses: null,
    orphanMinAgeMinutes: null,
    ...p,
  };
}

const bad = (field: string, message: string) => SchedulerErrors.invalidRule(`rule.${field}`, message);

const intIn = (v: unknown, field: string, min: number, max: number): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw bad(field, `rule.${field} must be an integer from ${min} to ${max}`);
  return v;
};

/**
 * Validates an admin's rule for `job`. Fields left out keep their `current` value, so a PUT may
 * change the cron alone; unknown fields and fields of another job are refused.
 */
export function parseRule(job: JobKind, input: unknown, current: ScheduledTaskRule): ScheduledTaskRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw SchedulerErrors.invalidRule('rule', 'rule must be an object');
  const r = input as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!COMMON.includes(k) && !(JOB_FIELDS[job] as string[]).includes(k))
      throw bad(k, `rule.${k} is not a setting of the ${job} job`);
  }
  const out: ScheduledTaskRule = { ...current };
  if (r.cron !== undefined) {
    if (typeof r.cron !== 'string' || r.cron.length > 100) throw bad('cron', 'rule.cron must be a string');
    out.cron = r.cron.trim().replace(/\s+/g, ' ');
  }
  if (r.timezone !== undefined) {
    if (r.timezone !== null && (typeof r.timezone !== 'string' || r.timezone.length > 64))
      throw bad('timezone', 'rule.timezone must be an IANA zone name or null');
    out.timezone = r.timezone;
  }
  if (r.bizTypes !== undefined) {
    const list = r.bizTypes;
    if (!Array.isArray(list) || list.length > 100 || !list.every(isShortCode))
      throw bad('bizTypes', 'rule.bizTypes must be a list of biz type codes (empty: all)');
    out.bizTypes = [...new Set(list)];
  }
  if (r.batchSize !== undefined) out.batchSize = intIn(r.batchSize, 'batchSize', 1, 10_000);
  if (r.maxItems !== undefined) out.maxItems = intIn(r.maxItems, 'maxItems', 1, 100_000_000);
  for (const k of JOB_FIELDS[job]) {
    if (r[k] === undefined) continue;
    if (k === 'statuses') {
      out.statuses = r[k] === null ? null : parseStatuses(r[k]);
      continue;
    }
    const [min, max] = OPTIONAL_BOUNDS[k];
    (out as unknown as Record<string, unknown>)[k] = r[k] === null ? null : intIn(r[k], k, min, max);
  }
  checkCron(out.cron, out.timezone);
  return out;
}

function parseStatuses(v: unknown): ArchivableStatus[] {
  if (
    !Array.isArray(v) ||
    v.length === 0 ||
    !v.every((x) => (ARCHIVABLE_STATUSES as readonly unknown[]).includes(x))
  )
    throw bad('statuses', `rule.statuses must be a non-empty list of ${ARCHIVABLE_STATUSES.join(', ')}`);
  return [...new Set(v as ArchivableStatus[])];
}

export interface ScheduledTaskProps {
  name: string;
  kind: JobKind;
  rule: ScheduledTaskRule;
  enabled: boolean;
  version: number;
  updatedAt: Date;
  updatedBy: string | null;
}

/** The ScheduledTask aggregate: a named job, its rule, and whether it fires on its own. */
export class ScheduledTask {
  private constructor(private props: ScheduledTaskProps) {}

  /** A built-in job as first installed: its default rule, enabled. */
  static byDefault(name: JobName, now: Date): ScheduledTask {
    return new ScheduledTask({
      name,
      kind: name,
      rule: { ...DEFAULT_RULES[name] },
      enabled: true,
      version: 1,
      updatedAt: now,
      updatedBy: null,
    });
  }

  /**
   * An admin's new job of `kind` under a name of their own: the kind's default rule with their
   * fields over it, enabled unless they say not.
   */
  static create(
    name: string,
    input: { kind?: unknown; rule?: unknown; enabled?: unknown },
    by: string | null,
    now: Date,
  ): ScheduledTask {
    if (!JOB_NAME.test(name))
      throw SchedulerErrors.invalidRule(
        'name',
        'a job name is 1-48 of a-z, 0-9 and -, starting with a letter',
      );
    if (!isJobKind(input.kind))
      throw SchedulerErrors.invalidRule('kind', `a new job needs kind: one of ${JOB_KINDS.join(', ')}`);
    const task = new ScheduledTask({
      name,
      kind: input.kind,
      rule: { ...DEFAULT_RULES[input.kind] },
      enabled: true,
      version: 0,
      updatedAt: now,
      updatedBy: by,
    });
    task.change({ rule: input.rule, enabled: input.enabled }, by, now);
    return task;
  }

  static restore(props: ScheduledTaskProps): ScheduledTask {
    // Rules stored by an older version miss newer fields: the defaults fill them in.
    return new ScheduledTask({ ...props, rule: { ...DEFAULT_RULES[props.kind], ...props.rule } });
  }

  get name() {
    return this.props.name;
  }
  get kind() {
    return this.props.kind;
  }
  /** One of the three jobs every installation has (they cannot be deleted). */
  get builtIn() {
    return isJobName(this.props.name) && this.props.kind === this.props.name;
  }
  get rule() {
    return this.props.rule;
  }
  get enabled() {
    return this.props.enabled;
  }
  get version() {
    return this.props.version;
  }

  /** An admin's change: the rule merged and validated, `enabled` if given. */
  change(input: { rule?: unknown; enabled?: unknown }, by: string | null, now: Date): void {
    if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
      throw ValidationErrors.invalidField('enabled', 'enabled must be true or false');
    const rule =
      input.rule === undefined ? this.props.rule : parseRule(this.kind, input.rule, this.props.rule);
    this.props = {
      ...this.props,
      rule,
      enabled: input.enabled ?? this.props.enabled,
      version: this.props.version + 1,
      updatedAt: now,
      updatedBy: by,
    };
  }

  snapshot(): Readonly<ScheduledTaskProps> {
    return { ...this.props, rule: { ...this.props.rule } };
  }
}
