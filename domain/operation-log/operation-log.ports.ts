import type { ChainedFields } from './hash-chain';
import type { LogSearch } from './log-search';

/** An entry as the API shows it: the fields the chain protects, its time as ISO-8601 text. */
export type LogEntryView = Omit<ChainedFields, 'at'> & { at: string };

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenId: string | null;
  /** Why the chain is broken: an entry that does not verify, or entries missing after the last one. */
  reason: 'ENTRY' | 'TRUNCATED' | 'HEAD_MISMATCH' | null;
}

/** The operation log as it is read, verified and archived (entries are written through the outbox). */
export interface OperationLogRepository {
  search(s: LogSearch): Promise<{ items: LogEntryView[]; nextCursor: string | null }>;
  /** Walks the whole hash chain, cold entries first, and checks its recorded head. */
  verify(batchSize?: number): Promise<VerifyResult>;
  /** Moves entries older than `before` to cold storage, a prefix of the chain per batch; how many moved. */
  archiveBefore(before: Date, batchSize?: number, maxBatches?: number): Promise<number>;
}
