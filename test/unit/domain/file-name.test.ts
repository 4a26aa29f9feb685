import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_FILE_NAME_BYTES, sanitizeFileName } from '../../../domain/files/file-name';
import { isDomainError } from '../../../domain/shared/errors';

const rejects = (raw: unknown) =>
  assert.throws(
    () => sanitizeFileName(raw),
    (e: unknown) => isDomainError(e) && e.code === 'INVALID_FILE_NAME' && e.kind === 'VALIDATION',
  );
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('sanitizeFileName', () => {
  it('keeps ordinary, Chinese and emoji names intact', () => {
    for (const name of [
      'report.pdf',
      '订单导出-2026年11月.xlsx',
      '发票 📄 final.pdf',
      '👨‍👩‍👧 family.png',
      'a b-c_d (1).csv',
    ]) {
      assert.equal(sanitizeFileName(name), name);
    }
  });

  it('strips directory parts, whether / or \\', () => {
    assert.equal(sanitizeFileName('../../etc/passwd'), 'passwd');
    assert.equal(sanitizeFileName('C:\\Users\\me\\Desktop\\发票.pdf'), '发票.pdf');
    assert.equal(sanitizeFileName('/abs/path/x.txt'), 'x.txt');
    assert.equal(sanitizeFileName('a/..\\..\\b.txt'), 'b.txt');
    rejects('foo/..');
    rejects('foo\\.');
    rejects('dir/');
  });

  it('removes control, bidi and zero-width characters', () => {
    assert.equal(sanitizeFileName('a\u0000b\u0007c\r\n.txt'), 'abc.txt');
    assert.equal(sanitizeFileName('x\u007f\u0085\u009fy.txt'), 'xy.txt');
    assert.equal(sanitizeFileName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
    assert.equal(sanitizeFileName('\u2066a\u2069\u200E\u200F.txt'), 'a.txt');
    assert.equal(sanitizeFileName('pa\u200By\u200Cm\u200Dent\uFEFF.pdf'), 'payment.pdf');
    // Removing a control must not smuggle in a hidden name or a traversal.
    assert.equal(sanitizeFileName('\u0000.\u200B.hidden'), 'hidden');
    assert.equal(sanitizeFileName('..\u0000/\u200Bx'), 'x');
  });

  it('drops lone surrogates but keeps surrogate pairs', () => {
    assert.equal(sanitizeFileName('a\uD800b\uDC00c.txt'), 'abc.txt');
    assert.equal(sanitizeFileName('😀.txt'), '😀.txt');
  });

  it('refuses hidden and dot names, trims trailing dots and spaces', () => {
    assert.equal(sanitizeFileName('.bashrc'), 'bashrc');
    assert.equal(sanitizeFileName(' . .env'), 'env');
    assert.equal(sanitizeFileName('report.pdf. . '), 'report.pdf');
    rejects('.');
    rejects('..');
    rejects('...  ..');
  });

  it('collapses whitespace', () => {
    assert.equal(sanitizeFileName('a \t  b\u00A0\u3000c.txt'), 'a b c.txt');
    assert.equal(sanitizeFileName('  padded name .txt  '), 'padded name .txt');
  });

  it('replaces characters Windows forbids', () => {
    assert.equal(sanitizeFileName('a<b>c:d"e|f?g*h.txt'), 'a_b_c_d_e_f_g_h.txt');
    assert.equal(sanitizeFileName('file.txt:ads'), 'file.txt_ads');
  });

  it('prefixes Windows reserved names, whatever the case or extension', () => {
    for (const n of [
      'CON',
      'con.txt',
      'Prn.pdf',
      'aux',
      'NUL.tar.gz',
      'com1',
      'COM9.log',
      'lpt3.txt',
      'COM¹.x',
    ]) {
      assert.equal(sanitizeFileName(n), `_${n}`);
    }
    for (const n of ['console.txt', 'com10.txt', 'lpt.txt', 'nully', 'com0'])
      assert.equal(sanitizeFileName(n), n);
    assert.equal(sanitizeFileName('con .txt'), 'con .txt');
    assert.equal(sanitizeFileName('dir/aux. '), '_aux');
  });

  it('NFC-normalises', () => {
    assert.equal(sanitizeFileName('Cafe\u0301.txt'), 'Caf\u00e9.txt');
    // A removed invisible character between a letter and its combining mark.
    assert.equal(sanitizeFileName('e\u200B\u0301.txt'), '\u00e9.txt');
  });

  it('limits the name to 255 UTF-8 bytes, keeping the extension', () => {
    const ascii = sanitizeFileName(`${'a'.repeat(400)}.xlsx`);
    assert.equal(bytes(ascii), MAX_FILE_NAME_BYTES);
    assert.ok(ascii.endsWith('a.xlsx'));

    const chinese = sanitizeFileName(`${'订'.repeat(200)}.pdf`);
    assert.ok(bytes(chinese) <= MAX_FILE_NAME_BYTES);
    assert.match(chinese, /^订+\.pdf$/);
    assert.equal(chinese.length, 83 + 4); // 83 × 3 bytes + ".pdf" = 253; an 84th would make 256
  });

  it('never cuts a surrogate pair, an emoji sequence or a combining mark', () => {
    const emoji = sanitizeFileName(`${'😀'.repeat(100)}.png`);
    assert.ok(bytes(emoji) <= MAX_FILE_NAME_BYTES);
    assert.match(emoji, /^(😀)+\.png$/u);
    assert.equal(Buffer.from(emoji, 'utf8').toString('utf8'), emoji);

    const family = '👨‍👩‍👧'; // 18 bytes
    const fam = sanitizeFileName(`${family.repeat(20)}.txt`);
    assert.ok(fam.startsWith(family) && fam.endsWith(`${family}.txt`));
    assert.equal((fam.length - 4) % family.length, 0);

    const accented = sanitizeFileName(`${'q\u0301'.repeat(100)}.txt`); // q-acute has no precomposed form
    assert.match(accented, /^(q\u0301)+\.txt$/);
  });

  it('treats a long "extension" as part of the name and trims what a cut leaves behind', () => {
    const long = sanitizeFileName(`report.${'x'.repeat(300)}`);
    assert.equal(bytes(long), MAX_FILE_NAME_BYTES);
    assert.ok(long.startsWith('report.'));
    const cutAtSpace = sanitizeFileName(`${'a'.repeat(250)} .  b${'c'.repeat(10)}.txt`);
    assert.ok(!/[. ]\.txt$/.test(cutAtSpace), cutAtSpace);
    assert.ok(cutAtSpace.endsWith('.txt'));
  });

  it('rejects non-strings and names with nothing usable left', () => {
    for (const raw of [undefined, null, 42, {}, ['a.txt'], Buffer.from('a.txt')]) rejects(raw);
    for (const raw of ['', '   ', '\u0000\u0001', '\u202E\u200B', '/', '\\', 'a/b/', ' . ']) rejects(raw);
  });

  it('is idempotent', () => {
    for (const raw of ['../x/..\\CON.txt', ` ${'名'.repeat(120)}.pdf.`, 'a<b>.txt', 'Cafe\u0301 .txt']) {
      const once = sanitizeFileName(raw);
      assert.equal(sanitizeFileName(once), once);
    }
  });
});
