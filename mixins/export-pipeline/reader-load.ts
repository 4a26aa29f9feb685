import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { ReaderLoad } from '../../domain/exports/reader-choice';

/**
 * This export node's load, as coordinators elsewhere ask for it (exportWorker.readerLoad): the
 * exports it coordinates, the batch reads it serves and its event loop's utilisation over the last
 * second. Counting is two increments per export or read; the utilisation is sampled once a second.
 */
export class ReaderGauge {
  coordinating = 0;
  reading = 0;
  private busy = 0;
  private last: EventLoopUtilization = performance.eventLoopUtilization();
  private lastAt = performance.now();

  snapshot(): ReaderLoad {
    // Sampled when asked (coordinators ask per batch, peers four times a second), over at least a
    // quarter of a second: long enough to mean something, short enough for a 2-second export.
    const now = performance.now();
    if (now - this.lastAt >= 250) {
      const elu = performance.eventLoopUtilization();
      this.busy = performance.eventLoopUtilization(elu, this.last).utilization;
      this.last = elu;
      this.lastAt = now;
    }
    return { coordinating: this.coordinating, reading: this.reading, busy: this.busy };
  }

  /** Runs `work` counted as one of `what`. */
  async count<T>(what: 'coordinating' | 'reading', work: () => Promise<T>): Promise<T> {
    this[what] += 1;
    try {
      return await work();
    } finally {
      this[what] -= 1;
    }
  }
}

/** How long a report is used as it is; older ones are asked again (in the background). */
const FRESH_MS = 250;
/** Older than this a report says nothing: the node counts as busy until it answers again. */
const STALE_MS = 3000;

/**
 * The other export nodes' loads as last reported, asked for in the background when a report is
 * older than FRESH_MS (four questions a second per node while it exports): choosing a reader never waits for the network, and an unknown or
 * unanswering node simply counts as busy (its batches are read locally).
 */
export class PeerLoads {
  private readonly known = new Map<string, { load: ReaderLoad; at: number }>();
  private readonly asking = new Set<string>();

  constructor(private readonly ask: (nodeID: string) => Promise<ReaderLoad>) {}

  get(nodeID: string): ReaderLoad | undefined {
    const now = Date.now();
    const hit = this.known.get(nodeID);
    if ((!hit || now - hit.at > FRESH_MS) && !this.asking.has(nodeID)) {
      this.asking.add(nodeID);
      this.ask(nodeID)
        .then((load) => this.known.set(nodeID, { load, at: Date.now() }))
        .catch(() => this.known.delete(nodeID))
        .finally(() => this.asking.delete(nodeID));
    }
    return hit && now - hit.at <= STALE_MS ? hit.load : undefined;
  }
}
