/**
 * Content-Disposition per RFC 6266 with the RFC 5987/8187 extended parameter: every current browser
 * uses `filename*` and gets the exact UTF-8 name; `filename` is a plain-ASCII fallback for old
 * clients and curl, kept free of the characters RFC 6266 appendix D warns about.
 */
export type DispositionType = 'attachment' | 'inline';

// RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/** Percent-encodes every UTF-8 byte that is not an attr-char (so `'`, `*`, `%`, space, `;` too). */
export function encodeRfc5987(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * One `_` per non-ASCII code point (not per byte), and none of `"`, `\` (quoted-string escapes that
 * many clients do not unescape) or `%` (some clients percent-decode the plain parameter).
 */
export function asciiFallback(name: string): string {
  const fallback = Array.from(name, (ch) => (/^[\x20-\x7e]$/.test(ch) && !/["\\%]/.test(ch) ? ch : '_')).join(
    '',
  );
  return fallback.trim() === '' ? 'download' : fallback;
}

export function contentDisposition(name: string, type: DispositionType = 'attachment'): string {
  if (type !== 'attachment' && type !== 'inline') throw new TypeError(`bad disposition type ${String(type)}`);
  const exact = name === '' ? 'download' : name;
  return `${type}; filename="${asciiFallback(exact)}"; filename*=UTF-8''${encodeRfc5987(exact)}`;
}
