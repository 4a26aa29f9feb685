/**
 * The operation log's search form turned into GET /api/logs query parameters, and the words for a
 * chain check. Pure.
 */
export interface LogFormValues {
  userId?: string;
  action?: string;
  targetId?: string;
  bizType?: string;
  /** The time range as instants (the form's date pickers give dayjs values; the page passes Dates). */
  from?: Date | null;
  to?: Date | null;
  q?: string;
}

export type LogParams = Partial<
  Record<'userId' | 'action' | 'targetId' | 'bizType' | 'from' | 'to' | 'q', string>
>;

const text = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);

export function logParams(v: LogFormValues): LogParams {
  const out: LogParams = {
    userId: text(v.userId),
    action: text(v.action)?.toUpperCase(),
    targetId: text(v.targetId),
    bizType: text(v.bizType),
    from: v.from ? v.from.toISOString() : undefined,
    to: v.to ? v.to.toISOString() : undefined,
    q: text(v.q),
  };
  return Object.fromEntries(Object.entries(out).filter(([, x]) => x !== undefined));
}

/** What GET /api/logs/verify answered, as one message key with its values. */
export function chainVerdict(r: {
  ok: boolean;
  checked: number;
  firstBrokenId: string | null;
}):
  | { type: 'success'; key: 'admin.logs.chainOk'; values: { checked: number } }
  | { type: 'error'; key: 'admin.logs.chainBroken'; values: { checked: number; id: string } } {
  return r.ok
    ? { type: 'success', key: 'admin.logs.chainOk', values: { checked: r.checked } }
    : {
        type: 'error',
        key: 'admin.logs.chainBroken',
        values: { checked: r.checked, id: r.firstBrokenId ?? '?' },
      };
}

/** Action names the log search suggests (API.md's list; the field takes any UPPER_SNAKE name). */
export const KNOWN_ACTIONS = [
  'FILE_UPLOADED',
  'EXPORT_REQUESTED',
  'EXPORT_SUCCEEDED',
  'EXPORT_FAILED',
  'EXPORT_CANCELLED',
  'DOWNLOAD_URL_ISSUED',
  'FILE_DOWNLOADED',
  'FILE_DELETED',
  'PERMISSION_CHANGED',
  'BIZ_TYPE_CHANGED',
  'TASK_COMPENSATED',
  'RECORDS_ARCHIVED',
  'SCHEDULED_TASK_CHANGED',
  'USER_CREATED',
  'USER_UPDATED',
  'UNIT_CREATED',
  'ROLE_CREATED',
] as const;
