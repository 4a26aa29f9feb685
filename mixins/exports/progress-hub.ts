import type { ServerResponse } from 'node:http';

/** Broadcast by export nodes (and on cancel) to every gateway. */
export const EXPORT_PROGRESS = 'exports.progress';

export interface ProgressEvent {
  taskId: string;
  status: string;
  rows?: number;
  total?: number | null;
  reason?: string;
  /** On FAILED: another attempt follows, so the stream stays open. */
  willRetry?: boolean;
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

  constructor() {
    this.timer = setInterval(() => {
      for (const set of this.streams.values()) for (const res of set) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.timer.unref();
  }

  /** Opens a stream whose first event is the task's current state (its API view). */
  open(res: ServerResponse, task: { id: string; status: string; export: unknown }): void {
    // A client must close the stream itself after a final status; `retry` is for dropped connections.
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: 3000\nevent: status\ndata: ${JSON.stringify(task)}\n\n`);
    if (TERMINAL.has(task.status)) {
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

  close(): void {
    clearInterval(this.timer);
    for (const set of this.streams.values()) for (const res of set) res.end();
    this.streams.clear();
  }
}
