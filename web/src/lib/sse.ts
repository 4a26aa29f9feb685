/**
 * A server-sent events parser for a fetch body (EventSource cannot send the Authorization header).
 * Feed it text as it arrives; it returns the complete events so far. Comments (`: keepalive`) and
 * `retry:` lines are dropped.
 */
export interface SseEvent {
  event: string;
  data: string;
}

export class SseParser {
  private buffer = '';

  push(chunk: string): SseEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const out: SseEvent[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) out.push({ event, data: data.join('\n') });
    }
    return out;
  }
}

/** A progress or status event of an export, from either the first event (the task) or a later one. */
export interface ExportProgress {
  status: string;
  rows: number | null;
  total: number | null;
  willRetry: boolean;
}

export function readProgress(data: unknown): ExportProgress | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as {
    status?: unknown;
    rows?: unknown;
    total?: unknown;
    willRetry?: unknown;
    export?: { progress?: { rows?: unknown; total?: unknown } } | null;
  };
  if (typeof d.status !== 'string') return null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    status: d.status,
    rows: num(d.rows) ?? num(d.export?.progress?.rows),
    total: num(d.total) ?? num(d.export?.progress?.total),
    willRetry: d.willRetry === true,
  };
}

/** A percentage for a progress bar, or null when the total is unknown. */
export function percent(p: { rows: number | null; total: number | null }): number | null {
  if (p.rows === null || !p.total) return null;
  return Math.min(100, Math.floor((p.rows / p.total) * 100));
}
