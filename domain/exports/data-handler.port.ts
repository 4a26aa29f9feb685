import type { DataHandler } from '../metadata/data-handler';

export type KeyValue = number | string;

/**
 * How a data handler reaches a business service (an `action` handler calls one): the caller's
 * broker context, seen through the one method the handlers use, so this port names no framework.
 */
export interface ActionCaller {
  call<T, P = unknown>(action: string, params?: P): Promise<T>;
}

/** A key range of one export: rows with after < key <= to (either end open when null). */
export interface KeyRange {
  after: KeyValue | null;
  to: KeyValue | null;
}

/** What a reader needs besides the handler: the validated filters and the requester's row scope. */
export interface ReadScope {
  filters: Record<string, unknown>;
  /** Rows whose rowScope column holds one of these units; null: every row. */
  rowScope: { column: string; unitIds: string[] } | null;
  /** Column keys to read (the handler may return more; extra keys are ignored). */
  columns: string[];
}

export interface Batch {
  rows: Record<string, unknown>[];
  /** The key of the last row when more may follow within the range; null when the range is done. */
  next: KeyValue | null;
}

export interface ExportPlan {
  /** Matching rows, when the source can count them cheaply; null when unknown. */
  total: number | null;
  chunks: KeyRange[];
}

/**
 * A kind of data handler: how to validate its definition, plan an export into key ranges and read
 * one batch of a range. Built in: `sql` and `action`; code adds more with registerDataHandler().
 */
export interface DataHandlerAdapter {
  parse(raw: Record<string, unknown>): DataHandler;
  plan(handler: DataHandler, scope: ReadScope, chunkRows: number, ctx: ActionCaller): Promise<ExportPlan>;
  read(
    handler: DataHandler,
    scope: ReadScope,
    range: KeyRange,
    limit: number,
    ctx: ActionCaller,
  ): Promise<Batch>;
}
