import type { ValueTransformer } from 'typeorm';

/**
 * BIGINT comes back from mysql2 as a string (bigNumberStrings keeps it exact) and from SQLite as a
 * number. Our bigints (log sequence numbers, epoch ms) stay far below 2^53, so they map to numbers.
 */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? v : Number(v)),
};

/** JSON kept in a TEXT column, the same on both engines. */
export const jsonText: ValueTransformer = {
  to: (v: unknown) => (v === undefined ? undefined : JSON.stringify(v)),
  from: (v: string | null) => (v === null || v === undefined ? v : (JSON.parse(v) as unknown)),
};
