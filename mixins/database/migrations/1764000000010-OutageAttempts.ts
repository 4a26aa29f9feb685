import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dbDate } from '../db-dates';

/** How far back failed exports are given their attempts back: older ones nobody waits for any more. */
const LOOK_BACK_MS = 7 * 24 * 3600 * 1000;

/**
 * Before outages stopped counting as attempts (domain/exports/export-failure.ts outageRetry), an
 * unreachable service or transporter burnt an export's attempts in seconds and left it FAILED
 * with SOURCE_UNAVAILABLE for good. Those of the last 7 days get their attempts back (0) and a new
 * version, so the next compensation run picks them up as retryable failures, as it does for an
 * export that waits out an outage now. Their updated_at is kept: they are settled already.
 */
export class OutageAttempts1764000000010 implements MigrationInterface {
  name = 'OutageAttempts1764000000010';

  async up(q: QueryRunner): Promise<void> {
    const since = dbDate(q.connection, new Date(Date.now() - LOOK_BACK_MS));
    await q.query(
      `UPDATE file_tasks SET attempts = 0, version = version + 1
       WHERE kind = 'EXPORT' AND status = 'FAILED' AND failure_reason = 'SOURCE_UNAVAILABLE' AND attempts > 0 AND updated_at >= ?`,
      [since],
    );
  }

  async down(): Promise<void> {
    // Attempts given back are not taken away again: nothing to undo.
  }
}
