import type { CellBatch, ChunkRequest } from '../../domain/exports/export-pipeline.ports';

/**
 * The chunk-read call between export nodes, in one place: the action every export node serves and
 * every coordinator calls (balanced by node), its params and its answer.
 */
export const READ_CHUNK_ACTION = 'exportWorker.readChunk';
/** The action's name inside the exportWorker service. */
export const READ_CHUNK_ACTION_NAME = 'readChunk';

export type ReadChunkParams = ChunkRequest;
export type ReadChunkResult = CellBatch;
