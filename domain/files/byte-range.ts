/**
 * The `Range` request header (RFC 9110 §14), for serving downloads that resume. Only one range is
 * served: several ranges would need a multipart/byteranges body, which download managers do not
 * need and which we do not build, so such a request gets the whole file (RFC 9110 lets a server
 * ignore Range). A header we cannot parse is ignored the same way, never answered with an error.
 */
export interface SatisfiableRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive (always < size). */
  end: number;
}

/** null → 200 with the whole body; a range → 206; 'unsatisfiable' → 416 with `bytes *\/size`. */
export type RangeDecision = SatisfiableRange | 'unsatisfiable' | null;

const RANGE_SPEC = /^(\d*)-(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeDecision {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid representation size ${size}`);
  if (typeof header !== 'string') return null;
  // The unit is case-insensitive; any other unit is ignored (RFC 9110 §14.2).
  const m = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!m) return null;
  // Empty list elements are allowed by the list syntax (`bytes=0-1,`).
  const specs = m[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length !== 1) return null;
  const spec = RANGE_SPEC.exec(specs[0]);
  if (!spec || (spec[1] === '' && spec[2] === '')) return null;
  // Number() of a very long digit string is a huge (or infinite) number; the comparisons stay correct.
  const first = spec[1] === '' ? null : Number(spec[1]);
  const last = spec[2] === '' ? null : Number(spec[2]);

  if (first === null) {
    // Suffix range `-n`: the last n bytes. `-0` is unsatisfiable by definition.
    const n = last ?? 0;
    if (n === 0) return 'unsatisfiable';
    // RFC 9110 calls `-n` on an empty representation satisfiable, but `bytes 0--1/0` cannot be
    // written: send the (empty) whole body instead.
    if (size === 0) return null;
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  // `a-b` with b < a is invalid syntax, so the header is ignored rather than answered with 416.
  if (last !== null && last < first) return null;
  if (first >= size) return 'unsatisfiable';
  return { start: first, end: last === null ? size - 1 : Math.min(last, size - 1) };
}

/** The Content-Range value of a 206 answer. */
export const contentRange = (range: SatisfiableRange, size: number) =>
  `bytes ${range.start}-${range.end}/${size}`;

/** The Content-Range value of a 416 answer. */
export const unsatisfiedContentRange = (size: number) => `bytes */${size}`;

/**
 * `If-Range`: serve the range only when the validator still names the current representation;
 * otherwise the client's partial copy is stale and it must get the whole new body. Only strong
 * ETags count (RFC 9110 §13.1.5); a date is compared to Last-Modified at one-second precision.
 */
export function ifRangeAllows(
  ifRange: string | undefined,
  etag: string | null,
  lastModified?: Date | null,
): boolean {
  if (ifRange === undefined || ifRange.trim() === '') return true;
  const v = ifRange.trim();
  if (v.startsWith('"')) return etag !== null && !etag.startsWith('W/') && v === etag;
  if (v.startsWith('W/')) return false;
  const date = Date.parse(v);
  if (!lastModified || Number.isNaN(date)) return false;
  return Math.floor(lastModified.getTime() / 1000) === Math.floor(date / 1000);
}
