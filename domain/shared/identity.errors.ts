import { unauthorized, unavailable, forbidden } from './errors';

/**
 * Why a caller is not believed (401), or cannot be checked now (503). A valid credential is never
 * answered 401 because the directory is unreachable: that is SERVICE_UNAVAILABLE, try again.
 */
export const identityErrors = {
  /** No credential at all on an action that needs a caller. */
  unauthenticated: () => unauthorized('UNAUTHENTICATED', 'authentication required'),
  /** The gateway's answer to a request without `Authorization: Bearer`. */
  noToken: () => unauthorized('NO_TOKEN', 'send Authorization: Bearer <token>'),
  invalidToken: (why = 'invalid token') => unauthorized('INVALID_TOKEN', why),
  tokenExpired: () => unauthorized('TOKEN_EXPIRED', 'the token has expired'),
  /** Issued before a password change, role change or disable of its user: sign in again. */
  tokenRevoked: () => unauthorized('TOKEN_REVOKED', 'this token was revoked; sign in again'),
  userDisabled: () => unauthorized('USER_DISABLED', 'this user is disabled'),
  /** An internal action that only this cluster's own background work may call. */
  systemOnly: (action: string) => forbidden('SYSTEM_ONLY', `${action} is internal to the cluster`),
  directoryUnavailable: () =>
    unavailable('SERVICE_UNAVAILABLE', 'the caller cannot be checked now (directory unreachable); try again'),
};
