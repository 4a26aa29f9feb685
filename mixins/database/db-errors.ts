/** True for a unique/primary key violation on MySQL/MariaDB or SQLite. */
export function isDuplicateKey(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } } | null;
  const code = err?.driverError?.code ?? err?.code;
  return (
    code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

/** True when the database could not be reached (the caller should answer 503, not 500). */
export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } } | null;
  const code = err?.driverError?.code ?? err?.code ?? '';
  return [
    'ECONNREFUSED',
    'ETIMEDOUT',
    'PROTOCOL_CONNECTION_LOST',
    'ER_CON_COUNT_ERROR',
    'EHOSTUNREACH',
    'SQLITE_BUSY',
  ].includes(code);
}

/**
 * A lock wait, deadlock or busy database between two transactions: the losing one may simply be
 * run again (a fair turn is).
 */
export function isLockConflict(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } } | null;
  const code = err?.driverError?.code ?? err?.code ?? '';
  return ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY'].includes(code);
}
