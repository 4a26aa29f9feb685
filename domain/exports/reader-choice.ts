/**
 * Where a batch of an export is read (docs/exports.md "The pipeline", step 3), as a pure policy.
 *
 * Reading on the coordinator's own node costs no network: the rows never cross NATS. A remote
 * reader only pays off when it has a core to spare (it coordinates no export of its own and is not
 * already loaded with other coordinators' reads) and the local reads are what holds the export
 * back (the node's event loop is saturated, so reading competes with writing, or the writer sits
 * waiting for batches). Otherwise every batch is read locally: two busy export nodes each read
 * their own exports, while an idle node still helps a lone export.
 */

/** EXPORT_REMOTE_READS: `spare` (the policy above), `always` (chunk i on node i mod n), `never`. */
export type RemoteReads = 'spare' | 'always' | 'never';
export const REMOTE_READS: readonly RemoteReads[] = ['spare', 'always', 'never'];

/** What an export node reports of itself (exportWorker.readerLoad). */
export interface ReaderLoad {
  /** Exports it coordinates now. */
  coordinating: number;
  /** Batch reads it serves now, for any coordinator (its own included). */
  reading: number;
  /** Its event loop's utilisation lately (the last quarter second or more), 0–1. */
  busy: number;
}

/**
 * A node with more reads in flight than this is loaded enough: a coordinator keeps at most
 * EXPORT_WINDOW / 2 batches in flight (4 by default), so this is two lone exports' worth.
 */
export const SPARE_MAX_READS = 8;
/** Local event-loop utilisation from which reading competes with writing for the one thread. */
export const LOCAL_BUSY = 0.7;
/** Share of the writer's time spent waiting for batches from which reads hold the export back. */
export const WRITER_STARVED = 0.2;

/** A remote node with a core to spare: not exporting itself, not loaded with others' reads. */
export function isSpare(load: ReaderLoad | undefined): boolean {
  return load !== undefined && load.coordinating === 0 && load.reading < SPARE_MAX_READS;
}

/** Whether the local reads hold the export back (the only case a remote reader is worth its cost). */
export function readsHoldBack(localBusy: number, writerStarved: number): boolean {
  return localBusy >= LOCAL_BUSY || writerStarved >= WRITER_STARVED;
}

export interface ReaderChoice {
  mode: RemoteReads;
  /** This node (the coordinator's). */
  self: string;
  /** The chunk readers available now, sorted. */
  nodes: readonly string[];
  /** The chunk this batch belongs to (round robin in `always` mode). */
  chunk: number;
  /** The last load each remote node reported; unknown (no answer yet, stale) counts as busy. */
  loadOf(node: string): ReaderLoad | undefined;
  /** This export's batches in flight per node. */
  inFlight: Readonly<Record<string, number>>;
  /** readsHoldBack() for this export now. */
  localHoldsBack: boolean;
}

/** The node that reads the next batch. */
export function chooseReader(c: ReaderChoice): string {
  const { nodes, self } = c;
  if (c.mode === 'always' || !nodes.includes(self)) return nodes[c.chunk % nodes.length];
  if (c.mode === 'never' || !c.localHoldsBack) return self;
  // Spare remotes first, then this node: of those, the one with the fewest of this export's
  // batches in flight, so a lone export spreads over itself and every idle node.
  const candidates = [...nodes.filter((n) => n !== self && isSpare(c.loadOf(n))), self];
  let best = candidates[0];
  for (const n of candidates) if ((c.inFlight[n] ?? 0) < (c.inFlight[best] ?? 0)) best = n;
  return best;
}

/** Where a batch that failed on `failed` is re-read: the next node in order, so a dead node is left. */
export function rereadOn(nodes: readonly string[], failed: string): string {
  const at = nodes.indexOf(failed);
  return nodes[(at + 1) % nodes.length];
}
