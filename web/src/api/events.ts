import { authHeaders } from './client';
import { SseParser } from '../lib/sse';

/**
 * Follows `GET /api/file-tasks/:id/events` with fetch streaming (the bearer token goes in a header,
 * which EventSource cannot send). Calls `onEvent` with each event's parsed data until the server
 * ends the stream (a final status) or `signal` aborts. Resolves when the stream ends.
 */
export async function followTaskEvents(
  id: string,
  onEvent: (data: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(`/api/file-tasks/${encodeURIComponent(id)}/events`, {
    headers: { accept: 'text/event-stream', ...authHeaders() },
    signal,
  });
  if (!res.ok || !res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    for (const e of parser.push(value)) {
      try {
        onEvent(JSON.parse(e.data));
      } catch {
        /* not JSON: ignore */
      }
    }
  }
}
