import type { ActionHandler } from '../../../domain/metadata/data-handler';
import { parseActionHandler } from '../../../domain/metadata/data-handler';
import type { Batch, DataHandlerAdapter, KeyValue } from '../../../domain/exports/data-handler.port';

/** What an `action` data handler receives: one batch request by cursor. */
export interface ActionBatchParams {
  filters: Record<string, unknown>;
  /** Units whose rows may be returned; null: every row. The business service applies it. */
  rowScope: { column: string; unitIds: string[] } | null;
  columns: string[];
  /** The cursor of the previous batch's answer (null: the start). */
  cursor: KeyValue | null;
  /** End of the range, inclusive (null: to the end). */
  to: KeyValue | null;
  limit: number;
}

/**
 * `action` data handler: a business service answers batches (`{rows, nextCursor}`) by cursor, so
 * data that lives behind an API exports like a table. The service cannot be split into key ranges
 * it did not announce, so the whole export is one range read batch after batch.
 */
export const actionDataHandler: DataHandlerAdapter = {
  parse: parseActionHandler,

  plan() {
    return Promise.resolve({ total: null, chunks: [{ after: null, to: null }] });
  },

  async read(handler, scope, range, limit, ctx): Promise<Batch> {
    const h = handler as ActionHandler;
    const params: ActionBatchParams = {
      filters: scope.filters,
      rowScope: scope.rowScope,
      columns: scope.columns,
      cursor: range.after,
      to: range.to,
      limit,
    };
    const page = await ctx.call<
      { rows: Record<string, unknown>[]; nextCursor: KeyValue | null },
      ActionBatchParams
    >(h.action, params);
    return { rows: page.rows, next: page.nextCursor ?? null };
  },
};
