import type { ExportBizType, ExportFormat } from '../metadata/biz-type';

const pad = (n: number) => String(n).padStart(2, '0');

/** `order_export-20261124-193012.xlsx`: what the user's download is called (UTC time of request). */
export function exportFileName(b: ExportBizType, format: ExportFormat, at: Date): string {
  const d = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const t = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `${b.code}-${d}-${t}.${format}`;
}

/**
 * Where an export's file is stored: by biz type and month, so retention can list by prefix, and
 * one key per attempt, so a worker that lost its lease can only ever remove its own partial file,
 * never the one a later attempt published. The task id stays the name's first part (orphan
 * collection finds the owner by it).
 */
export function exportStorageKey(
  bizType: string,
  taskId: string,
  attempt: number,
  format: ExportFormat,
  at: Date,
): string {
  return `exports/${bizType}/${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}/${taskId}.${attempt}.${format}`;
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};
