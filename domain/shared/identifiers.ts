/**
 * A short label that may name something (a biz type code as callers send it, a biz domain): 1 to
 * 64 letters, digits, `_`, `.` or `-`. Anything else cannot name one, so it is refused before any
 * lookup, and it is safe in logs, keys and messages. (A biz type's own code is stricter: BIZ_CODE.)
 */
export const SHORT_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

export const isShortCode = (v: unknown): v is string => typeof v === 'string' && SHORT_CODE.test(v);
