import crypto from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through while computing their sha256: one pass, no buffering. (Storage reports the size.) */
export class HashingStream extends Transform {
  private readonly hash = crypto.createHash('sha256');

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Valid once the stream has ended. */
  digest(): string {
    return this.hash.digest('hex');
  }
}
