import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { ExportErrors } from '../../domain/exports/export.errors';

/** The writable parts of a stream that both Node's streams and readable-stream@2 expose. */
export interface DrainableStream extends EventEmitter {
  _writableState?: { needDrain?: boolean };
  writableNeedDrain?: boolean;
}

export const needsDrain = (s: DrainableStream): boolean =>
  s.writableNeedDrain ?? s._writableState?.needDrain ?? false;

/**
 * Watches a writer's output for failure so no wait can hang: a drain that never comes because the
 * object storage upload failed (or the task was cancelled) ends in the failure instead.
 */
export class OutputWatch {
  private error: Error | null = null;
  private reject!: (err: Error) => void;
  private finished = false;
  /** Rejects with the first failure; never resolves. */
  readonly failed: Promise<never>;

  constructor(readonly out: NodeJS.WritableStream | Writable) {
    this.failed = new Promise<never>((_, reject) => (this.reject = reject));
    this.failed.catch(() => undefined); // observed through wait()/check(), not as an unhandled rejection
    out.on('error', (err: Error) => this.fail(err));
    out.on('finish', () => (this.finished = true));
    out.on('close', () => {
      if (!this.finished) this.fail(ExportErrors.outputClosed());
    });
  }

  fail(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.reject(err);
  }

  get failure(): Error | null {
    return this.error;
  }

  /** Throws the recorded failure, if any. */
  check(): void {
    if (this.error) throw this.error;
  }

  /** Waits for `event` on `emitter`, or rejects with the first failure, whichever comes first. */
  async wait(emitter: EventEmitter, event: string): Promise<void> {
    this.check();
    let off = () => {};
    const happened = new Promise<void>((resolve) => {
      const on = () => resolve();
      emitter.once(event, on);
      off = () => emitter.removeListener(event, on);
    });
    try {
      await Promise.race([happened, this.failed]);
    } finally {
      off();
    }
  }

  /** Waits until `stream` has room again, when it asked for a drain. */
  async drain(stream: DrainableStream): Promise<void> {
    this.check();
    if (needsDrain(stream)) await this.wait(stream, 'drain');
  }
}

/** Destroys the output (with the cause, so a consumer such as an upload sees why it ended). */
export function destroyOutput(out: NodeJS.WritableStream | Writable, err?: Error): void {
  const destroyable = out as Partial<Writable>;
  if (typeof destroyable.destroy === 'function') destroyable.destroy(err);
  else out.end();
}
