import { notFound, validationError } from '../shared/errors';

/** The permissions context's errors, one named constructor per code (docs/architecture.md lists them). */
export const PermissionErrors = {
  grantNotFound: () => notFound('GRANT_NOT_FOUND', 'no such grant'),
  unknownSubject: (type: string, subject: string) =>
    validationError('UNKNOWN_SUBJECT', `no ${type.toLowerCase()} "${subject}"`, { field: 'subject' }),
  notAnExportBizType: (code: string) =>
    validationError('NOT_AN_EXPORT_BIZ_TYPE', `${code} is not an EXPORT biz type`, { field: 'code' }),
} as const;
