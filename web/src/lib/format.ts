/** Byte sizes as people read them (1 decimal, binary units). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Statuses of an export still under way: the list follows their event streams. */
export const RUNNING_STATUSES: ReadonlySet<string> = new Set(['PENDING', 'EXPORTING']);

type TaskState = { kind: string; status: string; export: { willRetry?: boolean } | null };

/**
 * A FAILED export that runs again (a queue retry, an outage waited out): not a final failure, so
 * it is shown as retrying. `export.willRetry` is absent from servers before it was added: failed.
 */
export const isRetrying = (t: TaskState): boolean => t.status === 'FAILED' && t.export?.willRetry === true;

/** Exports whose event stream the list follows: under way, or failed with a retry to come. */
export const isUnderWay = (t: TaskState): boolean =>
  t.kind === 'EXPORT' && (RUNNING_STATUSES.has(t.status) || isRetrying(t));

/**
 * A name split for a middle ellipsis: the head (which may be cut) and the last `tail` characters
 * (always shown). Export names end in what tells them apart (`order_export-20261204-102345.xlsx`: the time and the extension):
 * a cut at the end hid exactly that. Short names stay whole (empty tail).
 */
export function middleCut(name: string, tail = 12): [string, string] {
  const chars = Array.from(name); // code points: never split a surrogate pair
  if (chars.length <= tail + 4) return [name, ''];
  return [chars.slice(0, -tail).join(''), chars.slice(-tail).join('')];
}
