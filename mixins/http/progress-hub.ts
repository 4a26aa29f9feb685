import type { ServerResponse } from 'node:http';
import type { ExportProgress, ProgressEvent } from '../../domain/exports/export.ports';
import { awaitsRetry, type FailureReason, type FileTaskStatus } from '../../domain/file-tasks/file-task';

/** Broadcast by export nodes (and on cancel) to every gateway. */
export const EXPORT_PROGRESS = 'exports.progress';

export type { ProgressEvent };

/** The ExportProgress port: a broadcast every gateway's hub receives. */
export const progressBroadcast = (b: {
  broadcast(event: string, payload: unknown): Promise<unknown>;
}): ExportProgress => ({
  publish: async (e) => {
    await b.broadcast(EXPORT_PROGRESS, e);
  },
});

/** The part of a task's API view (`fileTasks.get`) the hub reads; the whole view is sent. */
export interface TaskState {
  id: string;
  status: FileTaskStatus;
  export: {
    progress: { rows: number };
    failureReason: FailureReason | null;
    attempts: number;
  } | null;
}

const final = (e: { status: string; willRetry?: boolean }) => TERMINAL.has(e.status) && !e.willRetry;

const TERMINAL = new Set(['SUCCESS', 'FAILED', 'CANCELLED', 'EXPIRED']);
/** Comment lines keep proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events of export progress on the gateway: `GET /api/file-tasks/:id/events`. Export
 * nodes broadcast `exports.progress`; the hub forwards each to the open streams of that task and
 * ends a stream at a terminal status. Events are hints, the task record is the truth: a client
 * that reconnects gets the current state first.
 */
export class ProgressHub {
  private readonly streams = new Map<string, Set<ServerResponse>>();
  private readonly timer: NodeJS.Timeout;

  /** `maxAttempts`: the export nodes' EXPORT_MAX_ATTEMPTS, to tell a final FAILED from a retried one. */
  constructor(private readonly maxAttempts: number) {
    this.timer = setInterval(() => {
      for (const set of this.streams.values()) for (const res of set) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.timer.unref();
  }

  /**
   * Opens a stream whose first event is the task's current state (its API view, with `willRetry`
   * on FAILED as in the broadcast events).
   */
  open(res: ServerResponse, task: TaskState): void {
    const first = this.event(task);
    // A client must close the stream itself after a final status; `retry` is for dropped connections.
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const view = first.willRetry === undefined ? task : { ...task, willRetry: first.willRetry };
    res.write(`retry: 3000\nevent: status\ndata: ${JSON.stringify(view)}\n\n`);
    // A FAILED task the queue or compensation runs again is not done: its next attempt streams on.
    if (final(first)) {
      res.end();
      return;
    }
    let set = this.streams.get(task.id);
    if (!set) this.streams.set(task.id, (set = new Set()));
    set.add(res);
    res.on('close', () => {
      set.delete(res);
      // Only this task's current set: a newer one may have replaced it since.
      if (set.size === 0 && this.streams.get(task.id) === set) this.streams.delete(task.id);
    });
  }

  /**
   * Passes on `now`, read after `open` subscribed, when it differs from the `seen` that `open`
   * sent: an event broadcast between that first read and the subscription is lost otherwise.
   */
  catchUp(seen: TaskState, now: TaskState): void {
    const [before, after] = [this.event(seen), this.event(now)];
    if (after.status !== before.status || after.willRetry !== before.willRetry) this.publish(after);
  }

  publish(e: ProgressEvent): void {
    const set = this.streams.get(e.taskId);
    if (!set) return;
    const kind = e.status === 'EXPORTING' ? 'progress' : 'status';
    for (const res of set) {
      res.write(`event: ${kind}\ndata: ${JSON.stringify(e)}\n\n`);
      if (final(e)) res.end();
    }
    if (final(e)) this.streams.delete(e.taskId);
  }

  /** A task's state as the worker broadcasts it. */
  private event(t: TaskState): ProgressEvent {
    const e: ProgressEvent = { taskId: t.id, status: t.status, rows: t.export?.progress.rows };
    if (t.status !== 'FAILED') return e;
    const reason = t.export?.failureReason ?? undefined;
    return { ...e, reason, willRetry: awaitsRetry(t.status, t.export, this.maxAttempts) };
  }

  close(): void {
    clearInterval(this.timer);
    for (const set of this.streams.values()) for (const res of set) res.end();
    this.streams.clear();
  }
}
