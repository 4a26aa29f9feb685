import type { DataSource } from 'typeorm';
import type { FileTaskKind, FileTaskStatus } from '../../domain/file-tasks/file-task';
import { asDate } from '../database/db-dates';
import type { SampleTask } from './file-task-list.walk';

/** Tasks in the sample: enough to see a 2 % share ~40 times, small enough to scan in ~20 µs. */
export const SAMPLE_SIZE = 2048;
/** How long a sample serves before it is reloaded in the background. */
export const SAMPLE_TTL_MS = 30_000;

interface Row {
  kind: string;
  biz_type: string;
  status: string;
  created_by: string;
  unit_path: string | null;
  created_at: Date | string;
  name: string;
}

/** Reads the newest tasks (one walk down the primary key, ~3 ms on MariaDB). */
export const loadRecentTasks = async (ds: DataSource, size = SAMPLE_SIZE): Promise<SampleTask[]> =>
  (
    await ds.query<Row[]>(
      `SELECT kind, biz_type, status, created_by, unit_path, created_at, name FROM file_tasks ORDER BY id DESC LIMIT ${size}`,
    )
  ).map((r) => ({
    kind: r.kind as FileTaskKind,
    bizType: r.biz_type,
    status: r.status as FileTaskStatus,
    createdBy: r.created_by,
    unitPath: r.unit_path,
    createdAt: asDate(r.created_at),
    name: r.name,
  }));

/**
 * The newest tasks, for the list planner's estimates, per node. A request never waits for it: it
 * gets the sample as last loaded (none before the first load) and, when that is older than the
 * TTL, starts a reload in the background. A failed load keeps the old sample until the next TTL.
 * Estimates are memoised per sample, as many callers ask the same question.
 */
export class RecentTaskSample {
  private rows: readonly SampleTask[] | null = null;
  private loadedAt = -Infinity;
  private loading: Promise<void> | null = null;
  private readonly memo = new Map<string, unknown>();
  private stopped = false;

  constructor(
    private readonly load: () => Promise<SampleTask[]>,
    private readonly ttlMs = SAMPLE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The sample as last loaded, or null; reloads it in the background when it is stale. */
  current(): readonly SampleTask[] | null {
    if (!this.stopped && this.loading === null && this.now() - this.loadedAt >= this.ttlMs) {
      this.loading = this.load()
        .then(
          (rows) => {
            this.rows = rows;
            this.memo.clear();
          },
          () => undefined,
        )
        .finally(() => {
          this.loadedAt = this.now();
          this.loading = null;
        });
    }
    return this.rows;
  }

  /** `compute(sample)` for this key, computed once per loaded sample (null while none is). */
  memoised<T>(key: string, compute: (sample: readonly SampleTask[]) => T): T | null {
    const sample = this.current();
    if (sample === null) return null;
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute(sample);
    // Keys are callers' filters and query shapes; a cap keeps a burst of distinct ones bounded.
    if (this.memo.size >= 1000) this.memo.clear();
    this.memo.set(key, value);
    return value;
  }

  /** Resolves when a load in progress has ended (tests and warm-up). */
  async settled(): Promise<void> {
    await this.loading;
  }

  /** No more loads (the last sample still serves); resolves when a load in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loading;
  }
}
