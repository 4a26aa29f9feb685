/**
 * Text gathered as UTF-8 in one reusable buffer and handed on as one copy per batch.
 *
 * Why not a string: appending thousands of row strings builds a rope, and encoding it for the
 * stream (Buffer.from) flattened and transcoded it at ~3× the cost of rendering the rows (22 % of
 * a 1M-row xlsx export's CPU). Encoding each small row into a buffer as it comes costs next to
 * nothing; the single copy at take() lets the buffer be reused while the stream still holds the
 * batch.
 */
export class Utf8Batch {
  private readonly buffer: Buffer;
  private used = 0;

  constructor(capacity = 512 * 1024) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Adds the text, or returns false (adding nothing) when it may not fit: take() first. */
  add(text: string): boolean {
    // At most 3 bytes of UTF-8 per UTF-16 code unit: checked before writing, so never truncated.
    if (text.length * 3 > this.buffer.length - this.used) return false;
    this.used += this.buffer.write(text, this.used);
    return true;
  }

  /** A copy of what was added since the last take(), or null when nothing was. */
  take(): Buffer | null {
    if (this.used === 0) return null;
    const batch = Buffer.from(this.buffer.subarray(0, this.used));
    this.used = 0;
    return batch;
  }

  clear(): void {
    this.used = 0;
  }
}
