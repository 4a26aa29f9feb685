import { FileTaskErrors } from './file-task.errors';

export type FileTaskKind = 'FILE' | 'EXPORT';
export type FileTaskStatus = 'PENDING' | 'EXPORTING' | 'SUCCESS' | 'FAILED' | 'CANCELLED' | 'EXPIRED';

/**
 * The status machine of DESIGN.md. Every transition is one named method on the aggregate and is
 * checked against this table; the repository persists it with a conditional update on the
 * previous status and version, so two workers can never both make the same move.
 */
const TRANSITIONS: Record<FileTaskStatus, readonly FileTaskStatus[]> = {
  PENDING: ['EXPORTING', 'CANCELLED'],
  EXPORTING: ['SUCCESS', 'FAILED', 'CANCELLED'],
  FAILED: ['PENDING'],
  SUCCESS: ['EXPIRED'],
  CANCELLED: [],
  EXPIRED: [],
};

export const canTransition = (from: FileTaskStatus, to: FileTaskStatus) => TRANSITIONS[from].includes(to);

export interface StoredFile {
  storageKey: string;
  size: number;
  sha256: string;
  contentType: string;
}

import type { ExportFormat } from '../metadata/export-format';

export type { ExportFormat };

/**
 * Why a PENDING export waits (domain/exports/fair-turns.ts decides): its user's exports running
 * are at EXPORT_USER_CONCURRENCY, its biz type's at rules.maxConcurrent, or it waits for a free
 * worker slot (its turn among every user's waiting exports).
 */
export type WaitingReason = 'USER_CONCURRENCY' | 'BIZ_TYPE_CONCURRENCY' | 'NO_SLOT';

/** Why an export failed: stable codes the compensation job and the UI act on. */
export type FailureReason =
  | 'SOURCE_UNAVAILABLE'
  | 'ROW_LIMIT_EXCEEDED'
  | 'PERMISSION_REVOKED'
  | 'STORAGE_ERROR'
  | 'BIZ_TYPE_INVALID'
  | 'LEASE_LOST'
  | 'INTERNAL';

/** Failures worth another attempt: the cause is outside the request itself. */
export const RETRYABLE_REASONS: readonly FailureReason[] = [
  'SOURCE_UNAVAILABLE',
  'STORAGE_ERROR',
  'LEASE_LOST',
  'INTERNAL',
];

/** The one rule of "run it again": a retryable reason and attempts left. */
export const mayRetry = (reason: FailureReason | null, attempts: number, maxAttempts: number): boolean =>
  reason !== null && RETRYABLE_REASONS.includes(reason) && attempts < maxAttempts;

/**
 * Whether another attempt follows this state, judged on the record alone: a reader of the task
 * (an event stream on a gateway) must agree with the worker that failed it, which decided with
 * `mayRetry` on the same reason and attempts. Only a FAILED task waits for one.
 */
export const awaitsRetry = (
  status: FileTaskStatus,
  e: { failureReason: FailureReason | null; attempts: number } | null,
  maxAttempts: number,
): boolean => status === 'FAILED' && e !== null && mayRetry(e.failureReason, e.attempts, maxAttempts);

/** What the requester may see, frozen when the export was requested (the permission snapshot). */
export interface ExportSpec {
  filters: Record<string, unknown>;
  /** Column keys written, in order. */
  columns: string[];
  /** IANA zone of datetime cells and filters (absent on exports requested before zones: UTC). */
  timeZone?: string;
  /** Language of headers and labels; null or absent: the columns' own. */
  locale?: string | null;
  /** Units whose rows may be exported (the requester's subtree); null: every row. */
  rowScope: string[] | null;
  requester: { id: string; roles: string[]; unitId: string | null };
  /** The export schedule whose firing requested it (API.md "Recurring exports"); absent: none. */
  scheduleId?: string;
}

export interface ExportAttrs {
  format: ExportFormat;
  spec: ExportSpec;
  idempotencyKey: string | null;
  /** Hash of (biz type, format, filters, columns): identical in-flight requests are merged. */
  requestHash: string;
  rowCount: number | null;
  progress: { rows: number; total: number | null };
  failureReason: FailureReason | null;
  failureMessage: string | null;
  attempts: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  manifest: Record<string, unknown> | null;
  /**
   * Why a PENDING export waits (domain/exports/fair-turns.ts), as the scheduler last saw it; only
   * meaningful while PENDING. Absent or null: waiting for a free worker slot.
   */
  waitingReason?: WaitingReason | null;
}

export interface FileTaskProps {
  id: string;
  kind: FileTaskKind;
  bizType: string;
  bizDomain: string | null;
  name: string;
  status: FileTaskStatus;
  createdBy: string;
  /** The creator's unit when the task was created, and its path: what unit-scoped grants match. */
  unitId: string | null;
  unitPath: string | null;
  createdAt: Date;
  updatedAt: Date;
  file: StoredFile | null;
  export: ExportAttrs | null;
  /** Optimistic-concurrency version, bumped by every persisted change. */
  version: number;
}

/** The FileTask aggregate (the paper's Table 1): a business file, or an export that ends as one. */
export class FileTask {
  private constructor(private props: FileTaskProps) {}

  /** An uploaded file: recorded only once its bytes are stored, so it starts as SUCCESS. */
  static uploaded(p: {
    id: string;
    bizType: string;
    bizDomain: string | null;
    name: string;
    createdBy: string;
    unitId: string | null;
    unitPath: string | null;
    file: StoredFile;
    now: Date;
  }): FileTask {
    return new FileTask({
      ...p,
      kind: 'FILE',
      status: 'SUCCESS',
      export: null,
      createdAt: p.now,
      updatedAt: p.now,
      version: 1,
    });
  }

  /** A requested export: PENDING until an export node takes it. */
  static exportRequested(p: {
    id: string;
    bizType: string;
    bizDomain: string | null;
    name: string;
    createdBy: string;
    unitId: string | null;
    unitPath: string | null;
    format: ExportFormat;
    spec: ExportSpec;
    idempotencyKey: string | null;
    requestHash: string;
    now: Date;
    waitingReason?: WaitingReason | null;
    /** The rows the request is expected to export (the preview's estimate); null: unknown. */
    estimatedRows?: number | null;
  }): FileTask {
    return new FileTask({
      id: p.id,
      kind: 'EXPORT',
      bizType: p.bizType,
      bizDomain: p.bizDomain,
      name: p.name,
      status: 'PENDING',
      createdBy: p.createdBy,
      unitId: p.unitId,
      unitPath: p.unitPath,
      createdAt: p.now,
      updatedAt: p.now,
      file: null,
      export: {
        format: p.format,
        spec: p.spec,
        idempotencyKey: p.idempotencyKey,
        requestHash: p.requestHash,
        rowCount: null,
        progress: { rows: 0, total: p.estimatedRows ?? null },
        failureReason: null,
        failureMessage: null,
        attempts: 0,
        leaseOwner: null,
        leaseUntil: null,
        manifest: null,
        waitingReason: p.waitingReason ?? null,
      },
      version: 1,
    });
  }

  static restore(props: FileTaskProps): FileTask {
    return new FileTask({ ...props });
  }

  get id() {
    return this.props.id;
  }
  get kind() {
    return this.props.kind;
  }
  get status() {
    return this.props.status;
  }
  get bizType() {
    return this.props.bizType;
  }
  get createdBy() {
    return this.props.createdBy;
  }
  get unitPath() {
    return this.props.unitPath;
  }
  get file() {
    return this.props.file;
  }
  get version() {
    return this.props.version;
  }
  get name() {
    return this.props.name;
  }

  get exportAttrs(): ExportAttrs {
    if (!this.props.export) throw FileTaskErrors.notAnExport();
    return this.props.export;
  }

  /** PENDING → EXPORTING: `owner` holds the lease until `leaseUntil`; one more attempt is spent. */
  start(owner: string, leaseUntil: Date, now: Date): void {
    const e = this.exportAttrs;
    this.move('EXPORTING', now, {
      ...e,
      attempts: e.attempts + 1,
      leaseOwner: owner,
      leaseUntil,
      // The total stays what the request estimated until the run counts its own (the daily quota
      // counts it meanwhile).
      progress: { rows: 0, total: e.progress.total },
      failureReason: null,
      failureMessage: null,
      waitingReason: null,
    });
  }

  /**
   * A new worker takes over an EXPORTING task whose lease ran out (its worker died): no status
   * change, but a new owner, a new attempt and a version bump, so the dead worker's late writes fail.
   */
  takeOver(owner: string, leaseUntil: Date, now: Date): void {
    const e = this.exportAttrs;
    if (this.props.status !== 'EXPORTING' || (e.leaseUntil && e.leaseUntil > now)) {
      throw FileTaskErrors.leaseHeld();
    }
    this.props = {
      ...this.props,
      updatedAt: now,
      version: this.props.version + 1,
      export: {
        ...e,
        attempts: e.attempts + 1,
        leaseOwner: owner,
        leaseUntil,
        progress: { rows: 0, total: null },
      },
    };
  }

  /**
   * An export node takes this export for a run (the aggregate's decision, from its status): a
   * PENDING task starts, an EXPORTING one whose lease ran out is taken over, a FAILED one with a
   * retryable reason and attempts left is retried and started. Anything else is not for this run:
   * null, and nothing changes. The caller persists the claim with a conditional update, which is
   * the lock between two nodes given the same task.
   */
  claim(
    owner: string,
    leaseUntil: Date,
    now: Date,
    maxAttempts: number,
  ): 'START' | 'TAKE_OVER' | 'RETRY' | null {
    const e = this.exportAttrs;
    if (this.props.status === 'PENDING') {
      this.start(owner, leaseUntil, now);
      return 'START';
    }
    if (this.props.status === 'EXPORTING' && e.leaseUntil !== null && e.leaseUntil <= now) {
      this.takeOver(owner, leaseUntil, now);
      return 'TAKE_OVER';
    }
    if (this.props.status === 'FAILED' && this.mayRetry(maxAttempts)) {
      this.retry(now);
      this.start(owner, leaseUntil, now);
      return 'RETRY';
    }
    return null;
  }

  /** EXPORTING → SUCCESS with the stored file and its manifest. */
  succeed(file: StoredFile, rowCount: number, manifest: Record<string, unknown>, now: Date): void {
    const e = this.exportAttrs;
    this.move(
      'SUCCESS',
      now,
      {
        ...e,
        rowCount,
        manifest,
        leaseOwner: null,
        leaseUntil: null,
        progress: { rows: rowCount, total: rowCount },
      },
      file,
    );
  }

  /** EXPORTING → FAILED with a classified reason. */
  fail(reason: FailureReason, message: string, now: Date): void {
    const e = this.exportAttrs;
    this.move('FAILED', now, {
      ...e,
      failureReason: reason,
      failureMessage: message.slice(0, 500),
      leaseOwner: null,
      leaseUntil: null,
    });
  }

  /**
   * EXPORTING → FAILED (SOURCE_UNAVAILABLE) because something the export depends on is unreachable
   * and the outage window still lasts (domain/exports/export-failure.ts outageRetry): the attempt
   * this run spent is given back, so an outage never uses up the export's attempts.
   */
  failForOutage(message: string, now: Date): void {
    const spent = this.exportAttrs.attempts;
    this.fail('SOURCE_UNAVAILABLE', message, now);
    this.props = { ...this.props, export: { ...this.exportAttrs, attempts: Math.max(0, spent - 1) } };
  }

  /** PENDING or EXPORTING → CANCELLED; a running export notices between batches. */
  cancel(now: Date): void {
    this.move('CANCELLED', now, { ...this.exportAttrs, leaseOwner: null, leaseUntil: null });
  }

  /** FAILED → PENDING (retry route or compensation); attempts are kept. */
  retry(now: Date): void {
    this.move('PENDING', now, { ...this.exportAttrs, failureReason: null, failureMessage: null });
  }

  /** A retryable failure with attempts left: the queue's retry or compensation runs it again. */
  mayRetry(maxAttempts: number): boolean {
    const e = this.props.export;
    return e !== null && mayRetry(e.failureReason, e.attempts, maxAttempts);
  }

  /** SUCCESS → EXPIRED, when retention removes the stored bytes. */
  expire(now: Date): void {
    this.move('EXPIRED', now);
  }

  private move(to: FileTaskStatus, now: Date, exportAttrs?: ExportAttrs, file?: StoredFile): void {
    if (!canTransition(this.props.status, to)) {
      throw FileTaskErrors.illegalTransition(this.props.status, to);
    }
    this.props = {
      ...this.props,
      status: to,
      updatedAt: now,
      version: this.props.version + 1,
      ...(exportAttrs ? { export: exportAttrs } : {}),
      ...(file ? { file } : {}),
    };
  }

  /** Undoes changes that could not be saved: back to a snapshot taken before them. */
  revertTo(snapshot: Readonly<FileTaskProps>): void {
    this.props = { ...snapshot };
  }

  snapshot(): Readonly<FileTaskProps> {
    return { ...this.props };
  }

  /**
   * API.md's FileTask: never the storage key or the unit path. The export manifest (requester,
   * roles, row scope, nodes) is for the requester and administrators; `withManifest: false` leaves it
   * out for other readers. `maxAttempts` (the export nodes' EXPORT_MAX_ATTEMPTS) decides
   * `export.willRetry`, by the same rule as the event stream (awaitsRetry): a FAILED export that a
   * queue retry, an outage wait or compensation runs again, which a client must not take for a
   * final failure. Without it (the task inside a published event: an `exports.failed` event is
   * published for a final failure only) it is false.
   */
  toView({ withManifest = true, maxAttempts }: { withManifest?: boolean; maxAttempts?: number } = {}) {
    const p = this.props;
    return {
      id: p.id,
      kind: p.kind,
      bizType: p.bizType,
      bizDomain: p.bizDomain,
      name: p.name,
      status: p.status,
      createdBy: p.createdBy,
      unitId: p.unitId,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
      file: p.file ? { size: p.file.size, sha256: p.file.sha256, contentType: p.file.contentType } : null,
      export: p.export
        ? {
            format: p.export.format,
            filters: p.export.spec.filters,
            columns: p.export.spec.columns,
            timeZone: p.export.spec.timeZone ?? 'UTC',
            locale: p.export.spec.locale ?? null,
            rowCount: p.export.rowCount,
            progress: p.export.progress,
            failureReason: p.export.failureReason,
            failureMessage: p.export.failureMessage,
            attempts: p.export.attempts,
            manifest: withManifest ? p.export.manifest : null,
            scheduleId: p.export.spec.scheduleId ?? null,
            waitingReason: p.status === 'PENDING' ? (p.export.waitingReason ?? 'NO_SLOT') : null,
            willRetry: maxAttempts !== undefined && awaitsRetry(p.status, p.export, maxAttempts),
          }
        : null,
    };
  }
}
