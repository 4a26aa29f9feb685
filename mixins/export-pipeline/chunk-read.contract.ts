import type { CellBatch, ChunkRequest } from '../../domain/exports/export-pipeline.ports';

/**
 * The chunk-read call between export nodes, in one place: the action every export node serves and
 * every coordinator calls (on the node the reader policy names), its params and its answer; and
 * the load report the policy asks other export nodes for.
 */
export const READ_CHUNK_ACTION = 'exportWorker.readChunk';
/** The action's name inside the exportWorker service. */
export const READ_CHUNK_ACTION_NAME = 'readChunk';
/** An export node's load (domain/exports/reader-choice.ts ReaderLoad). */
export const READER_LOAD_ACTION = 'exportWorker.readerLoad';
export const READER_LOAD_ACTION_NAME = 'readerLoad';

export type ReadChunkParams = ChunkRequest;
export type ReadChunkResult = CellBatch;
