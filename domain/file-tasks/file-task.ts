import { conflict } from '../shared/errors';

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
      createdAt: p.now,
      updatedAt: p.now,
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

  /** SUCCESS → EXPIRED, when retention removes the stored bytes. */
  expire(now: Date): void {
    this.move('EXPIRED', now);
  }

  private move(to: FileTaskStatus, now: Date): void {
    if (!canTransition(this.props.status, to)) {
      throw conflict('ILLEGAL_TRANSITION', `a ${this.props.status} task cannot become ${to}`, {
        from: this.props.status,
        to,
      });
    }
    this.props = { ...this.props, status: to, updatedAt: now, version: this.props.version + 1 };
  }

  snapshot(): Readonly<FileTaskProps> {
    return { ...this.props };
  }

  /** API.md's FileTask: never the storage key or the unit path. */
  toView() {
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
      export: null,
    };
  }
}
