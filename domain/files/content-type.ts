import { FileErrors } from './file.errors';

/**
 * Decides an upload's content type from its first bytes, so a client cannot smuggle an executable
 * past a biz type's `contentTypes` rule by declaring `application/pdf`. The declared type only adds
 * detail the bytes cannot carry (CSV vs plain text, which legacy Office format an OLE2 file holds).
 */

/**
 * How many leading bytes the caller must pass (fewer only when the file is shorter). 8 KiB holds
 * every signature below, a text window, and the first few local headers of an Office zip.
 */
export const SNIFF_BYTES = 8192;

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const OOXML = new Set([XLSX, DOCX, PPTX]);
const OLE2_TYPES = new Set([
  'application/x-ole-storage',
  'application/vnd.ms-excel',
  'application/msword',
  'application/vnd.ms-powerpoint',
  'application/vnd.ms-outlook',
]);

/** Types that run code when opened: refused unless a biz type lists the exact type. */
export const EXECUTABLE_TYPES: ReadonlySet<string> = new Set([
  'application/x-msdownload',
  'application/x-executable',
  'application/x-mach-binary',
  'text/x-shellscript',
]);

const TEXT_TYPES = new Set(['text/plain', 'application/json', 'application/xml']);

const startsWith = (head: Buffer, sig: number[] | string, at = 0) => {
  const b = typeof sig === 'string' ? Buffer.from(sig, 'latin1') : Buffer.from(sig);
  return head.length >= at + b.length && head.subarray(at, at + b.length).equals(b);
};

/** The type the bytes prove, or null when they match nothing known (an unknown binary). */
export function sniffContentType(head: Buffer): string | null {
  if (head.length === 0) return null;
  // Executables first: a PE file is never "text" even when its first bytes happen to be printable.
  // `MZ` alone could open a text file; a PE/DOS header has NUL bytes in its first 64.
  if (startsWith(head, 'MZ') && head.subarray(0, 64).includes(0)) return 'application/x-msdownload';
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'application/x-executable';
  for (const magic of [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe]) {
    if (head.length >= 4 && head.readUInt32BE(0) === magic) return 'application/x-mach-binary';
  }
  if (startsWith(head, '#!')) return 'text/x-shellscript';

  // Readers tolerate junk before `%PDF-`, but business PDFs start with it; looking further would
  // misread a CSV that mentions "%PDF-1.7" and would let HTML/PDF polyglots pass as PDF.
  if (startsWith(head, '%PDF-')) return 'application/pdf';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, 'GIF87a') || startsWith(head, 'GIF89a')) return 'image/gif';
  if (startsWith(head, 'RIFF') && startsWith(head, 'WEBP', 8)) return 'image/webp';
  if (startsWith(head, 'PK\x03\x04')) return sniffZip(head);
  if (startsWith(head, 'PK\x05\x06')) return 'application/zip'; // an empty archive
  if (startsWith(head, [0x1f, 0x8b])) return 'application/gzip';
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'application/x-ole-storage';
  return sniffText(head);
}

/**
 * Office Open XML files are zips whose entry names give the application away. Writers that stream
 * (data-descriptor flag) leave sizes at zero, so instead of walking headers we look at every local
 * header signature in the head: a stray match in compressed data can at worst pick the wrong Office
 * flavour, which the declared-type check then reports as a mismatch.
 */
function sniffZip(head: Buffer): string {
  const names: string[] = [];
  for (const { name, at } of zipEntries(head)) {
    names.push(name);
    // ODF and EPUB store a first entry `mimetype`, uncompressed, whose content is the type itself.
    if (names.length === 1 && name === 'mimetype' && head.readUInt16LE(at + 8) === 0) {
      const size = head.readUInt32LE(at + 18);
      const start = at + 30 + name.length + head.readUInt16LE(at + 28);
      const type = head.toString('latin1', start, start + size);
      if (size < 100 && start + size <= head.length && /^application\/[a-z0-9.+-]+$/.test(type)) return type;
    }
  }
  if (names.some((n) => n.startsWith('xl/'))) return XLSX;
  if (names.some((n) => n.startsWith('word/'))) return DOCX;
  if (names.some((n) => n.startsWith('ppt/'))) return PPTX;
  // `[Content_Types].xml` alone proves OOXML but not which kind: the declared type decides (reconcile).
  return 'application/zip';
}

/** Names (latin1) and offsets of the local file headers found in the head. */
function* zipEntries(head: Buffer): Generator<{ name: string; at: number }> {
  for (
    let at = head.indexOf('PK\x03\x04');
    at >= 0 && at + 30 <= head.length;
    at = head.indexOf('PK\x03\x04', at + 4)
  ) {
    const nameLength = head.readUInt16LE(at + 26);
    if (nameLength === 0 || at + 30 + nameLength > head.length) continue;
    yield { name: head.toString('latin1', at + 30, at + 30 + nameLength), at };
  }
}

const isOoxmlZip = (head: Buffer) => [...zipEntries(head)].some((e) => e.name === '[Content_Types].xml');

// Controls other than tab, LF, VT, FF, CR and ESC do not occur in text files.
// eslint-disable-next-line no-control-regex
const BINARY_CONTROL = /[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]/;

function sniffText(head: Buffer): string | null {
  // UTF-16 with a BOM: Excel's "Unicode text" export.
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) return 'text/plain';
  const body = startsWith(head, [0xef, 0xbb, 0xbf]) ? head.subarray(3) : head;
  if (body.includes(0)) return null;
  let text: string;
  try {
    // stream: true tolerates a multi-byte character cut at the end of the head.
    text = new TextDecoder('utf-8', { fatal: true }).decode(body, { stream: true });
  } catch {
    // Not UTF-8. A legacy-encoded text (GBK/GB18030 CSV from a Chinese Excel, Latin-1) still has
    // no binary control bytes; random binary almost surely has some in 8 KiB.
    return BINARY_CONTROL.test(body.toString('latin1')) ? null : 'text/plain';
  }
  if (BINARY_CONTROL.test(text)) return null;
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) return 'application/json';
  if (start.startsWith('<?xml')) return 'application/xml';
  return 'text/plain';
}

// RFC 9110 `type/subtype` tokens: anything else could not be stored or sent back as a header.
const MEDIA_TYPE = /^[a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Lower-cased, without parameters; null for "no claim" (absent, empty, malformed or octet-stream). */
function normalizeType(type: string | null | undefined): string | null {
  const t = (typeof type === 'string' ? type : '').split(';')[0].trim().toLowerCase();
  return t.length > 127 || !MEDIA_TYPE.test(t) || t === 'application/octet-stream' ? null : t;
}

const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/x-pdf': 'application/pdf',
  'application/x-gzip': 'application/gzip',
  'application/x-zip-compressed': 'application/zip',
  'text/xml': 'application/xml',
  'application/csv': 'text/csv',
  'text/comma-separated-values': 'text/csv',
};

const isTextual = (t: string) =>
  t.startsWith('text/') || TEXT_TYPES.has(t) || t.endsWith('+xml') || t.endsWith('+json');

/**
 * The effective type when the declared type is consistent with the sniffed one, else null. The
 * declared type wins when it is a refinement the bytes cannot prove (csv over text, xls over OLE2).
 */
function reconcile(declared: string | null, sniffed: string | null, head: Buffer): string | null {
  if (sniffed === null) {
    // Unknown bytes: trust only a claim we could not have verified anyway.
    if (declared === null) return 'application/octet-stream';
    // An empty file is a valid (empty) text of any textual type, and proves nothing else.
    if (head.length === 0) return isTextual(declared) && !EXECUTABLE_TYPES.has(declared) ? declared : null;
    const verifiable = isTextual(declared) || OOXML.has(declared) || OLE2_TYPES.has(declared);
    const hasMagic = /^(image\/(png|jpeg|gif|webp)|application\/(pdf|zip|gzip))$/.test(declared);
    return verifiable || hasMagic ? null : declared;
  }
  if (declared === null || declared === sniffed) return sniffed;
  if (TEXT_TYPES.has(sniffed)) {
    // Windows browsers with Excel installed label every .csv as application/vnd.ms-excel.
    if (declared === 'application/vnd.ms-excel') return 'text/csv';
    return isTextual(declared) && !EXECUTABLE_TYPES.has(declared) ? declared : null;
  }
  // An ODF file would have sniffed as its own type (its `mimetype` entry), so only OOXML refines a zip.
  if (sniffed === 'application/zip') return OOXML.has(declared) && isOoxmlZip(head) ? declared : null;
  if (OOXML.has(sniffed)) return declared === 'application/zip' ? sniffed : null;
  if (sniffed === 'application/x-ole-storage') return OLE2_TYPES.has(declared) ? declared : null;
  return null;
}

export interface ContentTypeCheck {
  /** The client's Content-Type for the part; parameters (`; charset=`) are ignored. */
  declared?: string | null;
  /** The first SNIFF_BYTES bytes (or the whole file when shorter). */
  head: Buffer;
  /** The biz type's `rules.contentTypes`; empty or absent admits any type. `image/*` wildcards work. */
  allowed?: readonly string[] | null;
}

/** The effective content type to store, or UNSUPPORTED_CONTENT_TYPE (415). */
export function checkContentType({ declared, head, allowed }: ContentTypeCheck): string {
  const claim = normalizeType(declared);
  const normalizedClaim = claim === null ? null : (ALIASES[claim] ?? claim);
  const sniffed = sniffContentType(head);
  const allow = (allowed ?? []).map((t) => ALIASES[t.trim().toLowerCase()] ?? t.trim().toLowerCase());
  const reject = (reason: string, message: string) =>
    FileErrors.unsupportedContentType(message, {
      reason,
      declared: claim,
      detected: sniffed,
      allowed: allow,
    });

  if (sniffed !== null && EXECUTABLE_TYPES.has(sniffed) && !allow.includes(sniffed)) {
    throw reject('EXECUTABLE', 'executable content is not accepted');
  }
  const effective = reconcile(normalizedClaim, sniffed, head);
  if (effective === null) {
    throw reject('MISMATCH', `the file's content does not match its declared type ${claim ?? ''}`.trim());
  }
  // Unknown bytes declared as an executable type: the claim alone is reason enough.
  if (EXECUTABLE_TYPES.has(effective) && !allow.includes(effective)) {
    throw reject('EXECUTABLE', 'executable content is not accepted');
  }
  const admitted =
    allow.length === 0 ||
    allow.includes(effective) ||
    // A wildcard never admits an executable: those must be listed by exact type.
    (!EXECUTABLE_TYPES.has(effective) &&
      allow.some((a) => a.endsWith('/*') && effective.startsWith(a.slice(0, -1))));
  if (!admitted) throw reject('NOT_ALLOWED', `content type ${effective} is not accepted for this biz type`);
  return effective;
}
