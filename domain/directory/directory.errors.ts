import { conflict, notFound, rateLimited, unauthorized, validationError } from '../shared/errors';

/** The directory context's errors, one named constructor per code (docs/architecture.md lists them). */
export const DirectoryErrors = {
  invalidCredentials: () => unauthorized('INVALID_CREDENTIALS', 'wrong username or password'),
  tooManyLoginAttempts: (retryAfterSeconds: number) =>
    rateLimited('TOO_MANY_LOGIN_ATTEMPTS', 'too many failed sign-ins: wait 15 minutes and try again', {
      retryAfterSeconds,
    }),
  weakPassword: (min: number, max: number) =>
    validationError('WEAK_PASSWORD', `password must be ${min} to ${max} characters`, { field: 'password' }),
  userNotFound: () => notFound('USER_NOT_FOUND', 'no such user'),
  usernameTaken: (username: string) => conflict('USERNAME_TAKEN', `username ${username} is taken`),
  lastAdmin: () => conflict('LAST_ADMIN', 'the last administrator cannot lose the ADMIN role or be disabled'),
  roleExists: (code: string) => conflict('ROLE_EXISTS', `role ${code} exists`),
  unknownRoles: (...roles: string[]) =>
    validationError('UNKNOWN_ROLE', `unknown roles: ${roles.join(', ')}`, { roles }),
  /** `field` (parentId, unitId, scopeUnitId) names a unit that does not exist. */
  unknownUnit: (field: string) => validationError('UNKNOWN_UNIT', `${field} names no unit`, { field }),
  unitTooDeep: (maxDepth: number) =>
    validationError('UNIT_TOO_DEEP', `units nest at most ${maxDepth} levels`),
  serviceAccountNotFound: () => notFound('SERVICE_ACCOUNT_NOT_FOUND', 'no such service account'),
  serviceAccountNameTaken: (name: string) =>
    conflict('SERVICE_ACCOUNT_NAME_TAKEN', `a service account named ${name} exists`),
} as const;
