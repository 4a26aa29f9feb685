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
