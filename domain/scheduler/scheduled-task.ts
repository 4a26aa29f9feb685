import { isShortCode } from '../shared/identifiers';
import { checkCron } from './cron';
import { SchedulerErrors } from './scheduler.errors';
import { ValidationErrors } from '../shared/validation.errors';

/** The jobs the scheduler knows; each has its own code in mixins/scheduler. */
export const JOB_NAMES = ['compensation', 'archival', 'expiry'] as const;
export type JobName = (typeof JOB_NAMES)[number];
export const isJobName = (s: string): s is JobName => (JOB_NAMES as readonly string[]).includes(s);

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
  /** expiry: objects with no record are deleted only when older than this (uploads in flight). */
  orphanMinAgeMinutes: number | null;
}

/** Which optional fields each job reads; the others must stay null. */
const JOB_FIELDS: Record<JobName, (keyof ScheduledTaskRule)[]> = {
  compensation: ['minAgeSeconds'],
  archival: ['fileTaskRetentionDays', 'logRetentionDays'],
  expiry: ['orphanMinAgeMinutes'],
};
const OPTIONAL_BOUNDS: Record<string, [number, number]> = {
  minAgeSeconds: [0, 7 * 24 * 3600],
  fileTaskRetentionDays: [1, 36_500],
  logRetentionDays: [1, 36_500],
  orphanMinAgeMinutes: [1, 525_600],
};
const COMMON = ['cron', 'timezone', 'bizTypes', 'batchSize', 'maxItems'];

export const DEFAULT_RULES: Record<JobName, ScheduledTaskRule> = {
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
export function parseRule(job: JobName, input: unknown, current: ScheduledTaskRule): ScheduledTaskRule {
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
    const [min, max] = OPTIONAL_BOUNDS[k];
    (out as unknown as Record<string, unknown>)[k] = r[k] === null ? null : intIn(r[k], k, min, max);
  }
  checkCron(out.cron, out.timezone);
  return out;
}

export interface ScheduledTaskProps {
  name: JobName;
  rule: ScheduledTaskRule;
  enabled: boolean;
  version: number;
  updatedAt: Date;
  updatedBy: string | null;
}

/** The ScheduledTask aggregate: a named job, its rule, and whether it fires on its own. */
export class ScheduledTask {
  private constructor(private props: ScheduledTaskProps) {}

  /** A job as first installed: its default rule, enabled. */
  static byDefault(name: JobName, now: Date): ScheduledTask {
    return new ScheduledTask({
      name,
      rule: { ...DEFAULT_RULES[name] },
      enabled: true,
      version: 1,
      updatedAt: now,
      updatedBy: null,
    });
  }

  static restore(props: ScheduledTaskProps): ScheduledTask {
    // Rules stored by an older version miss newer fields: the defaults fill them in.
    return new ScheduledTask({ ...props, rule: { ...DEFAULT_RULES[props.name], ...props.rule } });
  }

  get name() {
    return this.props.name;
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
      input.rule === undefined ? this.props.rule : parseRule(this.name, input.rule, this.props.rule);
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
