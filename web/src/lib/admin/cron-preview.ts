import { CronExpressionParser } from 'cron-parser';

/**
 * What a scheduled task's cron means, before it is saved: its next run times (in the rule's time
 * zone, shown in the viewer's) and, for the common shapes, a sentence. The same library the
 * server schedules with (cron-parser), so the preview and the schedule agree. Pure.
 */
export type CronPreview = { ok: true; runs: Date[] } | { ok: false; message: string };

export function nextRuns(cron: string, timezone: string | null, count: number, from: Date): CronPreview {
  const fields = cron.trim().split(/\s+/).filter(Boolean);
  // The server's rule (domain/scheduler/cron.ts): 5 fields, or 6 with seconds first.
  if (fields.length !== 5 && fields.length !== 6)
    return { ok: false, message: 'cron must have 5 fields, or 6 with seconds first' };
  try {
    const it = CronExpressionParser.parse(fields.join(' '), {
      currentDate: from,
      ...(timezone ? { tz: timezone } : {}),
    });
    const runs: Date[] = [];
    for (let i = 0; i < count && it.hasNext(); i++) runs.push(it.next().toDate());
    return { ok: true, runs };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** A sentence for the usual shapes, as a message key of the dictionary and its values; else null. */
export type CronWords =
  | { key: 'admin.cron.everyMinute'; values: Record<string, never> }
  | { key: 'admin.cron.everyNMinutes'; values: { n: number } }
  | { key: 'admin.cron.hourlyAt'; values: { minute: string } }
  | { key: 'admin.cron.dailyAt'; values: { time: string } }
  | { key: 'admin.cron.weeklyAt'; values: { day: number; time: string } }
  | { key: 'admin.cron.monthlyAt'; values: { day: number; time: string } };

const NUM = /^\d{1,2}$/;
const pad = (s: string) => s.padStart(2, '0');

export function describeCron(cron: string): CronWords | null {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5) return null;
  const [min, hour, dom, mon, dow] = f;
  if (mon !== '*') return null;
  // Monthly on one day (an export schedule's "monthly on the 1st" preset).
  if (dow === '*' && NUM.test(dom) && NUM.test(min) && NUM.test(hour))
    return { key: 'admin.cron.monthlyAt', values: { day: Number(dom), time: `${pad(hour)}:${pad(min)}` } };
  if (dom !== '*') return null;
  if (hour === '*' && dow === '*') {
    if (min === '*') return { key: 'admin.cron.everyMinute', values: {} };
    const every = /^\*\/(\d{1,2})$/.exec(min);
    if (every) return { key: 'admin.cron.everyNMinutes', values: { n: Number(every[1]) } };
    if (NUM.test(min)) return { key: 'admin.cron.hourlyAt', values: { minute: pad(min) } };
    return null;
  }
  if (!NUM.test(min) || !NUM.test(hour)) return null;
  const time = `${pad(hour)}:${pad(min)}`;
  if (dow === '*') return { key: 'admin.cron.dailyAt', values: { time } };
  if (/^[0-7]$/.test(dow)) return { key: 'admin.cron.weeklyAt', values: { day: Number(dow) % 7, time } };
  return null;
}
