import type { DataSource, SelectQueryBuilder } from 'typeorm';
import type { LogSearch } from '../../domain/operation-log/log-search';
import type {
  LogEntryView,
  OperationLogRepository,
  VerifyResult,
} from '../../domain/operation-log/operation-log.ports';
import { GENESIS_HASH, verifyChain } from '../../domain/operation-log/hash-chain';
import { encodeCursor } from '../../domain/shared/pagination';
import { escapeLike, LIKE_ESCAPE } from '../database/like';
import {
  ChainHeadSchema,
  OperationLogColdSchema,
  OperationLogSchema,
  type OperationLogRow,
} from '../database/schemas/operation-log.schema';

const toView = (r: OperationLogRow): LogEntryView => ({
  id: r.id,
  seq: r.seq,
  at: new Date(r.at).toISOString(),
  userId: r.userId,
  action: r.action,
  targetType: r.targetType,
  targetId: r.targetId,
  bizType: r.bizType,
  outcome: r.outcome,
  detail: r.detail,
  requestId: r.requestId,
});

/** Turns free text into a FULLTEXT boolean query: every word required, as a prefix; operators dropped. */
export function fullTextQuery(q: string): string | null {
  const words = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((w) => w.length >= 2)
    .slice(0, 8);
  return words.length ? words.map((w) => `+${w}*`).join(' ') : null;
}

/** The operation log in the records database (the OperationLogRepository port). */
export class TypeormOperationLogRepository implements OperationLogRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly key: string,
  ) {}

  private get mysql() {
    return this.ds.options.type === 'mysql';
  }

  async search(s: LogSearch): Promise<{ items: LogEntryView[]; nextCursor: string | null }> {
    const qb = this.ds.getRepository(OperationLogSchema).createQueryBuilder('l');
    this.applyFilters(qb, s);
    // Newest first by (at, seq); the keyset condition is written so MySQL can use it as a range.
    if (s.after) {
      qb.andWhere('l.at <= :afterAt AND (l.at < :afterAt OR l.seq < :afterSeq)', {
        afterAt: new Date(s.after.at),
        afterSeq: s.after.seq,
      });
    }
    const rows = await qb
      .orderBy('l.at', 'DESC')
      .addOrderBy('l.seq', 'DESC')
      .limit(s.limit + 1)
      .getMany();
    const page = rows.slice(0, s.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toView),
      nextCursor:
        rows.length > s.limit && last
          ? encodeCursor({ at: new Date(last.at).getTime(), seq: last.seq })
          : null,
    };
  }

  private applyFilters(qb: SelectQueryBuilder<OperationLogRow>, s: LogSearch): void {
    if (s.userId) qb.andWhere('l.user_id = :userId', { userId: s.userId });
    if (s.action) qb.andWhere('l.action = :action', { action: s.action });
    if (s.targetId) qb.andWhere('l.target_id = :targetId', { targetId: s.targetId });
    if (s.bizType) qb.andWhere('l.biz_type = :bizType', { bizType: s.bizType });
    if (s.from) qb.andWhere('l.at >= :from', { from: s.from });
    if (s.to) qb.andWhere('l.at <= :to', { to: s.to });
    if (s.q) {
      // With a user, action, target or biz type the structured index reads newest-first and the
      // text is a row filter that stops after one page. FULLTEXT alone would fetch every match of a
      // common word and sort them all (measured: 1.2 s at 200k entries for "xlsx" + one user).
      const narrowed = Boolean(s.userId || s.action || s.targetId || s.bizType);
      const ft = this.mysql && !narrowed ? fullTextQuery(s.q) : null;
      if (ft) qb.andWhere('MATCH(l.search_text) AGAINST (:ft IN BOOLEAN MODE)', { ft });
      else {
        const pattern = `%${escapeLike(s.q.toLowerCase())}%`;
        qb.andWhere(`l.search_text LIKE :pattern ${LIKE_ESCAPE}`, { pattern });
      }
    }
  }

  /**
   * Walks the whole chain, cold entries first, in batches, and checks that the last entry is the
   * recorded head (a deleted tail leaves no broken entry behind, only a head that points past it).
   */
  async verify(batchSize = 5000): Promise<VerifyResult> {
    let prev = { prevHash: GENESIS_HASH, prevSeq: 0 };
    let checked = 0;
    for (const schema of [OperationLogColdSchema, OperationLogSchema]) {
      let afterSeq = -1;
      for (;;) {
        const rows = await this.ds
          .getRepository(schema)
          .createQueryBuilder('l')
          .where('l.seq > :afterSeq', { afterSeq })
          .orderBy('l.seq', 'ASC')
          .limit(batchSize)
          .getMany();
        if (rows.length === 0) break;
        const r = verifyChain(
          this.key,
          rows.map((x) => ({ ...x, at: new Date(x.at) })),
          prev,
        );
        checked += r.checked;
        if (r.firstBrokenId) return { ok: false, checked, firstBrokenId: r.firstBrokenId, reason: 'ENTRY' };
        prev = { prevHash: r.prevHash, prevSeq: r.prevSeq };
        afterSeq = rows[rows.length - 1].seq;
      }
    }
    const head = await this.ds.getRepository(ChainHeadSchema).findOneBy({ id: 1 });
    if (!head || head.seq !== prev.prevSeq || head.hash !== prev.prevHash) {
      const reason = head && head.seq > prev.prevSeq ? 'TRUNCATED' : 'HEAD_MISMATCH';
      return { ok: false, checked, firstBrokenId: null, reason };
    }
    return { ok: true, checked, firstBrokenId: null, reason: null };
  }

  /**
   * Moves entries older than `before` to operation_logs_cold, oldest first, one batch per
   * transaction (copy, then delete what was copied), so a crash between batches loses and
   * duplicates nothing and the next run carries on. The chain is unbroken across the two tables:
   * only a prefix of the chain ever moves. Returns how many entries moved.
   */
  async archiveBefore(
    before: Date,
    batchSize = 5000,
    maxBatches = Number.POSITIVE_INFINITY,
  ): Promise<number> {
    let moved = 0;
    for (let b = 0; b < maxBatches; b++) {
      const n = await this.ds.transaction(async (em) => {
        // A prefix of the chain: the lowest seqs, stopping at the first entry that is too new.
        const [bound] = await em.query<{ maxSeq: string | number | null }[]>(
          `SELECT MAX(seq) AS maxSeq FROM (SELECT seq FROM operation_logs ORDER BY seq LIMIT ${Number(batchSize)}) s`,
        );
        // Through the query builder: it converts the Date the way each driver stores datetimes.
        const firstNew = await em
          .getRepository(OperationLogSchema)
          .createQueryBuilder('l')
          .select('l.seq', 'seq')
          .where('l.at >= :before', { before })
          .orderBy('l.seq', 'ASC')
          .limit(1)
          .getRawOne<{ seq: string | number }>();
        let upTo = Number(bound?.maxSeq ?? 0);
        if (firstNew) upTo = Math.min(upTo, Number(firstNew.seq) - 1);
        if (!upTo) return 0;
        const cols =
          'seq, id, at, user_id, action, target_type, target_id, biz_type, outcome, detail, request_id, prev_hash, hash, search_text';
        // Counted, not read from the DELETE's result: TypeORM's SQLite driver does not report it.
        const [count] = await em.query<{ n: string | number }[]>(
          'SELECT COUNT(*) AS n FROM operation_logs WHERE seq <= ?',
          [upTo],
        );
        // Copy and delete commit together, so nothing is ever in both tables or in neither.
        await em.query(
          `INSERT INTO operation_logs_cold (${cols}) SELECT ${cols} FROM operation_logs WHERE seq <= ?`,
          [upTo],
        );
        await em.query('DELETE FROM operation_logs WHERE seq <= ?', [upTo]);
        return Number(count?.n ?? 0);
      });
      moved += n;
      if (n === 0) break;
    }
    return moved;
  }
}
