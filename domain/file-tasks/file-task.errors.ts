import { conflict, forbidden, notFound } from '../shared/errors';

/**
 * The file task context's errors, one named constructor per code (docs/architecture.md lists
 * them). A task the caller may not read answers exactly like a missing one.
 */
export const FileTaskErrors = {
  /** Missing, or not readable by the caller: the two are never told apart. */
  hidden: () => notFound('FILE_TASK_NOT_FOUND', 'no such file task'),
  deleteNotAllowed: () =>
    forbidden('DELETE_NOT_ALLOWED', 'only the creator or an administrator may delete a file task'),
  notAnExport: () => conflict('NOT_AN_EXPORT', 'this file task is not an export'),
  leaseHeld: () => conflict('LEASE_HELD', 'the export is running under a live lease'),
  illegalTransition: (from: string, to: string) =>
    conflict('ILLEGAL_TRANSITION', `a ${from} task cannot become ${to}`, { from, to }),
  concurrentChange: (message: string) => conflict('CONCURRENT_CHANGE', message),
} as const;
