import type { FileBizType } from '../api/types';

/**
 * The advance check of a file against its biz type's rules, so a person is told before sending
 * bytes. The server checks again (and decides the type from the bytes): this is a courtesy.
 */
export type UploadProblem = { kind: 'tooLarge'; limit: number } | { kind: 'badType'; type: string } | null;

export function checkUpload(
  rules: FileBizType['rules'],
  file: { size: number; type: string },
): UploadProblem {
  if (rules.maxSize !== null && rules.maxSize !== undefined && file.size > rules.maxSize)
    return { kind: 'tooLarge', limit: rules.maxSize };
  const types = rules.contentTypes ?? [];
  // The browser's guess may be empty: then only the server can tell.
  if (types.length > 0 && file.type && !types.includes(file.type))
    return { kind: 'badType', type: file.type };
  return null;
}
