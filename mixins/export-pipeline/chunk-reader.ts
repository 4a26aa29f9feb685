import type { Context } from 'moleculer';
import { compileRowFormatter, type RowFormatter } from '../../domain/exports/cell-format';
import { validateExportColumns } from '../../domain/metadata/export-column';
import { canonicalTimeZone, UTC } from '../../domain/shared/time-zone';
import type { DataHandler } from '../../domain/metadata/data-handler';
import { dataHandlerAdapter } from './data-handlers/registry';
import type { DataHandlerAdapter } from '../../domain/exports/data-handler.port';
import type { ReadChunkParams, ReadChunkResult } from './chunk-read.contract';

interface Prepared {
  adapter: DataHandlerAdapter;
  handler: DataHandler;
  format: RowFormatter;
}

/** Definitions validated on this node, by their full text: an export's batches reuse one. */
const prepared = new Map<string, Prepared>();
const MAX_PREPARED = 64;

/**
 * The definition comes over the network, so it is validated here rather than trusted; keyed by its
 * whole content, the validation and the compiled formatter are done once per definition, not once
 * per batch.
 */
function prepare(p: ReadChunkParams): Prepared {
  const key = JSON.stringify([p.handler, p.columns, p.timeZone, p.quoteFormulas]);
  let hit = prepared.get(key);
  if (!hit) {
    const adapter = dataHandlerAdapter(p.handler);
    hit = {
      adapter,
      handler: adapter.parse(p.handler as unknown as Record<string, unknown>),
      format: compileRowFormatter(validateExportColumns(p.columns), {
        timeZone: canonicalTimeZone(String(p.timeZone ?? UTC)) ?? UTC,
        quoteFormulas: p.quoteFormulas !== false,
      }),
    };
    if (prepared.size >= MAX_PREPARED) prepared.delete(prepared.keys().next().value!);
    prepared.set(key, hit);
  }
  return hit;
}

/**
 * One batch of a chunk: read through the biz type's data handler, then mapped, masked and
 * neutralised here on the reading node, so the coordinator only writes. Dates are already Excel
 * serials of the wall-clock time in the export's zone: plain numbers over any serializer.
 */
export async function readChunk(p: ReadChunkParams, ctx: Context): Promise<ReadChunkResult> {
  const { adapter, handler, format } = prepare(p);
  const limit = Math.min(Math.max(1, Math.floor(Number(p.limit) || 1)), 10_000);
  const batch = await adapter.read(handler, p.scope, p.range, limit, ctx);
  return { cells: batch.rows.map(format), next: batch.next };
}
