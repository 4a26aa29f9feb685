/**
 * LIKE patterns that mean what they say on both engines. The escape character is `!`, not `\`:
 * a backslash escapes inside MySQL string literals, so `ESCAPE '\'` does not even parse there.
 */
export const LIKE_ESCAPE = "ESCAPE '!'";

export const escapeLike = (s: string): string => s.replace(/[!%_]/g, (c) => `!${c}`);
