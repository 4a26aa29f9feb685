import { notFound, validationError } from '../shared/errors';

/** The notifications context's errors (docs/architecture.md lists them). */
export const NotificationErrors = {
  /** `reason` says why the URL is refused (loopback, private range, ...). */
  targetForbidden: (reason: string) =>
    validationError(
      'WEBHOOK_TARGET_FORBIDDEN',
      `${reason}; loopback and private targets need WEBHOOK_ALLOW_PRIVATE=true`,
      { field: 'url' },
    ),
  webhookNotFound: (id: string) => notFound('WEBHOOK_NOT_FOUND', `no webhook "${id}"`, { id }),
} as const;
