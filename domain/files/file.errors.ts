import { conflict, forbidden, tooLarge, unsupportedType, validationError } from '../shared/errors';

/**
 * The files context's errors (uploads, download links), one named constructor per code
 * (docs/architecture.md lists them).
 */
export const FileErrors = {
  fileRequired: (message = 'send the file in a part named "file"') =>
    validationError('FILE_REQUIRED', message),
  fileNameRequired: (message = 'send a name field or a file name with the file part') =>
    validationError('FILE_NAME_REQUIRED', message),
  invalidFileName: (message: string, data: Record<string, unknown>) =>
    validationError('INVALID_FILE_NAME', message, data),
  invalidBizDomain: () =>
    validationError('INVALID_BIZ_DOMAIN', 'bizDomain must be 1 to 64 letters, digits, _ . or -'),
  bizTypeRequired: (message = 'send the bizType field before the file part') =>
    validationError('BIZ_TYPE_REQUIRED', message),
  unknownBizType: (code: string) =>
    validationError('UNKNOWN_BIZ_TYPE', `unknown biz type "${code.slice(0, 64)}"`, {
      bizType: code.slice(0, 64),
    }),
  bizTypeNotUploadable: (code: string, kind: string) =>
    validationError('BIZ_TYPE_NOT_UPLOADABLE', `biz type "${code}" does not take uploads`, {
      bizType: code,
      kind,
    }),
  unsupportedContentType: (message: string, data: Record<string, unknown>) =>
    unsupportedType('UNSUPPORTED_CONTENT_TYPE', message, data),
  fileTooLarge: (limit: number) =>
    tooLarge('FILE_TOO_LARGE', `the file is larger than the limit of ${limit} bytes`, { limit }),
  multipartRequired: () => validationError('MULTIPART_REQUIRED', 'send the file as multipart/form-data'),
  invalidMultipart: (detail: string) =>
    validationError('INVALID_MULTIPART', `malformed multipart request: ${detail}`),
  fieldTooLong: (field: string) =>
    validationError('FIELD_TOO_LONG', `the ${field} field is too long`, { field }),
  tooManyFiles: () => validationError('TOO_MANY_FILES', 'send exactly one file part, named "file"'),
  tooManyParts: (what = 'parts') => validationError('TOO_MANY_PARTS', `too many multipart ${what}`),
  uploadAborted: () =>
    validationError('UPLOAD_ABORTED', 'the client closed the connection before the upload finished'),
  downloadNotAllowed: (message = 'you may see this file task but not download it') =>
    forbidden('DOWNLOAD_NOT_ALLOWED', message),
  fileNotAvailable: (status: string) =>
    conflict('FILE_NOT_AVAILABLE', `a ${status} task has no file to download`, { status }),
  downloadLinkInvalid: () => forbidden('DOWNLOAD_LINK_INVALID', 'the download link is invalid'),
  downloadLinkExpired: () => forbidden('DOWNLOAD_LINK_EXPIRED', 'the download link has expired'),
  downloadLinkRevoked: () =>
    forbidden('DOWNLOAD_LINK_REVOKED', 'the user of this link can no longer download'),
} as const;
