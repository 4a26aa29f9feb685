import { FileErrors } from './file.errors';

/**
 * Turns a client-supplied file name into one that is safe to store, log, show and send back in a
 * Content-Disposition header, on any OS the user may save it to. The name is display data only:
 * storage keys never derive from it, so this is about harmless names, not about path safety alone.
 */

export const MAX_FILE_NAME_BYTES = 255;
/** A longer "extension" is really part of the name (`report.final-version-for-the-board`). */
const MAX_EXTENSION_BYTES = 32;

/* eslint-disable no-control-regex */
// C0, DEL and C1 controls: invisible, and CR/LF would let a name forge log lines or headers.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */
// Bidi embeddings/overrides/isolates and marks: `invoice\u202Efdp.exe` displays as `invoiceexe.pdf`.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Zero-width and other invisible characters that make two different names look identical.
const INVISIBLE = /[\u00ad\u180e\u200b\u200c\u2060-\u2064\ufeff]/g;
// The zero-width joiner is kept only inside emoji sequences (family, flags-with-joiner, ...).
const STRAY_ZWJ = /(?<!\p{Extended_Pictographic}\ufe0f?)\u200d|\u200d(?!\p{Extended_Pictographic})/gu;
// A lone surrogate cannot be encoded as UTF-8; Buffer would silently turn it into U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const WINDOWS_ILLEGAL = /[<>:"|?*]/g;
// Windows refuses these as a base name whatever the extension (`nul.txt`, `COM1.tar.gz`).
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[1-9¹²³]|lpt[1-9¹²³])(\.|$)/i;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export function sanitizeFileName(raw: unknown): string {
  if (typeof raw !== 'string') {
    throw FileErrors.invalidFileName('the file name must be a string', { type: typeof raw });
  }
  // Invisible characters go first so they cannot hide a separator or a leading dot from the steps below.
  let name = raw
    .replace(LONE_SURROGATE, '')
    .normalize('NFC')
    .replace(CONTROL, '')
    .replace(BIDI, '')
    .replace(INVISIBLE, '')
    .replace(STRAY_ZWJ, '');
  // Browsers on Windows (old IE/Edge) send the full client path; keep the last segment only.
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name
    .replace(WINDOWS_ILLEGAL, '_')
    .replace(/\s+/gu, ' ')
    // No hidden files, no `.`/`..`, and Windows drops trailing dots and spaces itself.
    .replace(/^[. ]+/, '')
    .replace(/[. ]+$/, '')
    // Removing characters may have put a base letter next to a combining mark.
    .normalize('NFC');
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  name = truncate(name);
  if (name === '') {
    throw FileErrors.invalidFileName('the file name is empty once unsafe characters are removed', {
      name: raw.slice(0, 200),
    });
  }
  return name;
}

/** Cuts the base name (never the extension) to fit MAX_FILE_NAME_BYTES, on grapheme boundaries. */
function truncate(name: string): string {
  if (bytes(name) <= MAX_FILE_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot) : '';
  const keepExt = ext !== '' && bytes(ext) <= MAX_EXTENSION_BYTES;
  const base = keepExt ? name.slice(0, dot) : name;
  const budget = MAX_FILE_NAME_BYTES - (keepExt ? bytes(ext) : 0);
  let out = '';
  let used = 0;
  // Grapheme clusters, so neither a surrogate pair, an emoji sequence nor a combining mark is split.
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(base)) {
    const size = bytes(segment);
    if (used + size > budget) break;
    out += segment;
    used += size;
  }
  // The cut may leave a trailing dot or space, which Windows would strip and which reads badly.
  out = out.replace(/[. ]+$/, '');
  return keepExt ? (out === '' ? '' : out + ext) : out;
}
