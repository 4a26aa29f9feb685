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
export class ExportTurnsRepository implements ExportTurns, ExportQuotaLedger {
  constructor(private readonly ds: DataSource) {}

  async activeBizTypes(now: Date): Promise<string[]> {
    const rows = await this.ds.query<{ biz_type: string }[]>(
      `SELECT DISTINCT biz_type FROM file_tasks WHERE status = 'PENDING' AND kind = 'EXPORT'
       UNION SELECT DISTINCT biz_type FROM file_tasks WHERE status = 'EXPORTING' AND kind = 'EXPORT' AND lease_until > ?`,
      [dbDate(this.ds, now)],
    );
    return rows.map((r) => r.biz_type);
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
        await this.showReasons(r.reasons);
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
  ): Promise<{ claimed: FileTask | null; reasons: TurnDecision['reasons'] } | 'AGAIN'> {
    await this.lock(em);
    const state = await this.stateIn(em, now);
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
    return { claimed, reasons: decision.reasons };
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
   * the lock is held only for the choice. Only rows whose reason changed are written: a long queue
   * costs nothing while it just waits. No version bump, like a heartbeat: a cancel racing with it
   * still wins. Two turns may write in the other order; the reason is a hint, and the next turn
   * writes the current one. A failure here loses nothing but the hint.
   */
  private async showReasons(reasons: TurnDecision['reasons']): Promise<void> {
    try {
      for (const g of reasons)
        await this.ds.query(
          `UPDATE file_tasks SET waiting_reason = ? WHERE status = 'PENDING' AND created_by = ? AND biz_type = ? AND kind = 'EXPORT'
           AND (waiting_reason IS NULL OR waiting_reason <> ?)`,
          [g.reason, g.userId, g.bizType, g.reason],
        );
    } catch {
      // The hint is rewritten by the next turn.
    }
  }

  private async stateIn(em: EntityManager, now: Date): Promise<TurnState> {
    const running = await this.runningIn(em, now);
    const waiting = (
      await em.query<{ created_by: string; biz_type: string; id: string }[]>(
        `SELECT created_by, biz_type, MIN(id) AS id FROM file_tasks WHERE status = 'PENDING' AND kind = 'EXPORT'
         GROUP BY created_by, biz_type`,
      )
    ).map((r): WaitingGroup => ({ userId: r.created_by, bizType: r.biz_type, taskId: r.id }));
    const users = [...new Set(waiting.map((w) => w.userId))];
    const lastTurn: Record<string, number> = {};
    if (users.length > 0) {
      const rows = await em.query<{ user_id: string; last_turn_at: number | string }[]>(
        `SELECT user_id, last_turn_at FROM export_turns WHERE user_id IN (${marks(users.length)})`,
        users,
      );
      for (const r of rows) lastTurn[r.user_id] = Number(r.last_turn_at);
    }
    return { running, waiting, lastTurn };
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
