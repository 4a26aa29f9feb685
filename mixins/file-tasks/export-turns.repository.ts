import type { DataSource, EntityManager } from 'typeorm';
import type { FileTask } from '../../domain/file-tasks/file-task';
import type { ExportQuotaLedger, ExportTurns } from '../../domain/exports/export.ports';
import type { RunningGroup, TurnDecision, TurnState, WaitingGroup } from '../../domain/exports/fair-turns';
import { dbDate, marks } from '../database/db-dates';
import { isLockConflict } from '../database/db-errors';
import { COLUMNS, fromRaw, saveFrom, type RawRow } from './file-task.repository';

/**
 * Fair turns and quotas over file_tasks (domain/exports/fair-turns.ts). The running exports are
 * the EXPORTING rows with a live lease, so the database is the one truth whatever queue backend
 * delivers the jobs (bull or embedded), and a dead node's slot frees itself when its lease runs
 * out. Turns are serialised by updating the single row of export_turn_lock first: on MySQL the
 * row lock holds every other node's turn until this one commits (a read-then-write race between
 * two export nodes is impossible), on SQLite the one writer does the same.
 */
/** The reasons the waiting rows of each user and biz type show (null: none yet). */
type Shown = Map<string, Set<string | null>>;

const groupKey = (userId: string, bizType: string) => `${userId}\u0000${bizType}`;

export class ExportTurnsRepository implements ExportTurns, ExportQuotaLedger {
  constructor(private readonly ds: DataSource) {}

  async activeBizTypes(now: Date): Promise<string[]> {
    // DISTINCT on the index's leading groups (idx_tasks_waiting), not on biz_type alone: that read
    // every waiting row (or scanned idx_tasks_biz whole) on each turn.
    const rows = await this.ds.query<{ biz_type: string }[]>(
      `SELECT DISTINCT created_by, biz_type FROM file_tasks WHERE status = 'PENDING' AND kind = 'EXPORT'
       UNION SELECT DISTINCT created_by, biz_type FROM file_tasks WHERE status = 'EXPORTING' AND kind = 'EXPORT' AND lease_until > ?`,
      [dbDate(this.ds, now)],
    );
    return [...new Set(rows.map((r) => r.biz_type))];
  }

  async take(
    now: Date,
    decide: (s: TurnState) => TurnDecision,
    claim: (task: FileTask) => boolean,
  ): Promise<FileTask | null> {
    // The chosen task may have been cancelled (or claimed by compensation) since it was read: the
    // turn is taken again with it gone. A lock conflict is retried the same way.
    for (let tries = 0; tries < 5; tries++) {
      try {
        const r = await this.ds.transaction((em) => this.turn(em, now, decide, claim));
        if (r === 'AGAIN') continue;
        await this.showReasons(r.reasons, r.shown);
        return r.claimed;
      } catch (e) {
        if (!isLockConflict(e) || tries === 4) throw e;
      }
    }
    return null;
  }

  private async turn(
    em: EntityManager,
    now: Date,
    decide: (s: TurnState) => TurnDecision,
    claim: (task: FileTask) => boolean,
  ): Promise<{ claimed: FileTask | null; reasons: TurnDecision['reasons']; shown: Shown } | 'AGAIN'> {
    await this.lock(em);
    const { shown, ...state } = await this.stateIn(em, now);
    const decision = decide(state);
    let claimed: FileTask | null = null;
    if (decision.next) {
      const rows = await em.query<RawRow[]>(`SELECT ${COLUMNS} FROM file_tasks WHERE id = ?`, [
        decision.next.taskId,
      ]);
      const task = rows[0] ? fromRaw(rows[0]) : null;
      const from = task ? { status: task.status, version: task.version } : null;
      if (!task || !from || !claim(task)) return 'AGAIN';
      if (!(await saveFrom(em, task, from))) return 'AGAIN';
      await em.query('DELETE FROM export_turns WHERE user_id = ?', [task.createdBy]);
      await em.query('INSERT INTO export_turns (user_id, last_turn_at) VALUES (?, ?)', [
        task.createdBy,
        now.getTime(),
      ]);
      claimed = task;
    }
    return { claimed, reasons: decision.reasons, shown };
  }

  /**
   * Takes the turn lock: the update of the one lock row holds every other node's turn until this
   * transaction ends. Without the row nothing would be serialised, so it is put back if missing
   * (migration 015 inserts it; a restore that left the table empty must not silently let two
   * nodes choose at once).
   */
  private async lock(em: EntityManager): Promise<void> {
    await em.query('UPDATE export_turn_lock SET turns = turns + 1 WHERE id = 1');
    const rows = await em.query<{ id: number }[]>('SELECT id FROM export_turn_lock WHERE id = 1');
    if (rows.length > 0) return;
    await em.query('INSERT INTO export_turn_lock (id, turns) VALUES (1, 1)');
  }

  /**
   * Why the exports left waiting wait (export.waitingReason), written after the turn committed so
   * the lock is held only for the choice. Only groups where some row shows another reason (or
   * none) are written, and only those rows (idx_tasks_waiting ends in the reason): a long queue
   * that just waits costs no write and no row lock. No version bump, like a heartbeat: a cancel
   * racing with it still wins. Two turns may write in the other order; the reason is a hint, and
   * the next turn writes the current one. A failure here loses nothing but the hint.
   */
  private async showReasons(reasons: TurnDecision['reasons'], shown: Shown): Promise<void> {
    try {
      for (const g of reasons) {
        const now = shown.get(groupKey(g.userId, g.bizType));
        if (now && now.size === 1 && now.has(g.reason)) continue;
        await this.ds.query(
          `UPDATE file_tasks SET waiting_reason = ? WHERE status = 'PENDING' AND kind = 'EXPORT' AND created_by = ? AND biz_type = ?
           AND (waiting_reason IS NULL OR waiting_reason <> ?)`,
          [g.reason, g.userId, g.bizType, g.reason],
        );
      }
    } catch {
      // The hint is rewritten by the next turn.
    }
  }

  /**
   * What runs, what waits and the round robin's memory, plus the reasons the waiting rows show
   * now. The waiting groups are read per reason from idx_tasks_waiting alone (no table row): one
   * index entry per group and reason at best, never a row per waiting export.
   */
  private async stateIn(em: EntityManager, now: Date): Promise<TurnState & { shown: Shown }> {
    const running = await this.runningIn(em, now);
    const rows = await em.query<
      { created_by: string; biz_type: string; waiting_reason: string | null; id: string }[]
    >(
      `SELECT created_by, biz_type, waiting_reason, MIN(id) AS id FROM file_tasks WHERE status = 'PENDING' AND kind = 'EXPORT'
       GROUP BY created_by, biz_type, waiting_reason`,
    );
    const groups = new Map<string, WaitingGroup>();
    const shown: Shown = new Map();
    for (const r of rows) {
      const key = groupKey(r.created_by, r.biz_type);
      const g = groups.get(key);
      if (!g || r.id < g.taskId) groups.set(key, { userId: r.created_by, bizType: r.biz_type, taskId: r.id });
      const reasons = shown.get(key) ?? new Set<string | null>();
      reasons.add(r.waiting_reason);
      shown.set(key, reasons);
    }
    const waiting = [...groups.values()].sort((a, b) =>
      a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0,
    );
    const users = [...new Set(waiting.map((w) => w.userId))];
    const lastTurn: Record<string, number> = {};
    if (users.length > 0) {
      const rows = await em.query<{ user_id: string; last_turn_at: number | string }[]>(
        `SELECT user_id, last_turn_at FROM export_turns WHERE user_id IN (${marks(users.length)})`,
        users,
      );
      for (const r of rows) lastTurn[r.user_id] = Number(r.last_turn_at);
    }
    return { running, waiting, lastTurn, shown };
  }

  private async runningIn(em: Pick<EntityManager, 'query'>, now: Date): Promise<RunningGroup[]> {
    const rows = await em.query<{ created_by: string; biz_type: string; n: number | string }[]>(
      `SELECT created_by, biz_type, COUNT(*) AS n FROM file_tasks
       WHERE status = 'EXPORTING' AND lease_until > ? AND kind = 'EXPORT' GROUP BY created_by, biz_type`,
      [dbDate(this.ds, now)],
    );
    return rows.map((r) => ({ userId: r.created_by, bizType: r.biz_type, count: Number(r.n) }));
  }

  running(now: Date): Promise<RunningGroup[]> {
    return this.runningIn(this.ds, now);
  }

  async anyWaiting(): Promise<boolean> {
    const rows = await this.ds.query<{ id: string }[]>(
      `SELECT id FROM file_tasks WHERE status = 'PENDING' AND kind = 'EXPORT' LIMIT 1`,
    );
    return rows.length > 0;
  }

  /**
   * Rows of a user's exports of a biz type created in [from, to): what finished exports wrote, and
   * what waiting or running ones are expected to (their total, the request's estimate until the
   * run counts its own). Failed and cancelled exports delivered nothing and count nothing.
   */
  async rowsRequested(userId: string, bizType: string, from: Date, to: Date): Promise<number> {
    const rows = await this.ds.query<{ n: number | string | null }[]>(
      `SELECT SUM(COALESCE(row_count, progress_total, 0)) AS n FROM file_tasks
       WHERE created_by = ? AND biz_type = ? AND created_at >= ? AND created_at < ? AND kind = 'EXPORT'
       AND status IN ('PENDING', 'EXPORTING', 'SUCCESS', 'EXPIRED')`,
      [userId, bizType, dbDate(this.ds, from), dbDate(this.ds, to)],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
