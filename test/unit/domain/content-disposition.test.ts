import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asciiFallback, contentDisposition, encodeRfc5987 } from '../../../domain/files/content-disposition';

/** What a RFC 6266 client does with filename*: strip the prefix and percent-decode as UTF-8. */
function decodeExtended(header: string): string {
  const m = /filename\*=UTF-8''([^;\s]*)/.exec(header);
  assert.ok(m, header);
  return decodeURIComponent(m[1]);
}

describe('content disposition', () => {
  it('sends ASCII names in both parameters', () => {
    assert.equal(
      contentDisposition('report.pdf'),
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
    assert.equal(contentDisposition('a.png', 'inline'), `inline; filename="a.png"; filename*=UTF-8''a.png`);
  });

  it('sends UTF-8 names exactly in filename* and an ASCII fallback in filename', () => {
    const name = '订单导出 2026年11月.xlsx';
    const h = contentDisposition(name);
    assert.equal(
      h,
      `attachment; filename="____ 2026_11_.xlsx"; filename*=UTF-8''%E8%AE%A2%E5%8D%95%E5%AF%BC%E5%87%BA%202026%E5%B9%B411%E6%9C%88.xlsx`,
    );
    assert.equal(decodeExtended(h), name);
  });

  it('replaces one non-ASCII code point (even an astral one) by one underscore', () => {
    assert.equal(asciiFallback('📄é.txt'), '__.txt');
    assert.equal(asciiFallback('订单'), '__');
  });

  it('keeps quotes, backslashes and percent signs out of the fallback', () => {
    const name = 'a"b\\c%41.txt';
    const h = contentDisposition(name);
    assert.match(h, /filename="a_b_c_41\.txt";/);
    assert.equal(decodeExtended(h), name);
  });

  it('cannot be broken by separators or line breaks in the name', () => {
    for (const name of [
      "x.txt; filename*=UTF-8''evil.exe",
      'x\r\nSet-Cookie: a=b',
      "it's (1) [a] *.txt",
      'a,b=c.txt',
    ]) {
      const h = contentDisposition(name);
      assert.ok(!/[\r\n]/.test(h));
      // Split on `;` outside the quoted-string, as a RFC 6266 parser does: exactly three parts.
      const parts = h.match(/(?:[^;"]|"[^"]*")+/g) ?? [];
      assert.equal(parts.length, 3, h);
      assert.match(parts[1].trim(), /^filename="[^"]*"$/);
      assert.equal(decodeURIComponent(parts[2].trim().replace("filename*=UTF-8''", '')), name);
      // The fallback is one quoted-string: exactly two quotes in the whole header.
      assert.equal(h.match(/"/g)?.length, 2, h);
    }
  });

  it('percent-encodes exactly the non-attr-chars, upper-case', () => {
    assert.equal(encodeRfc5987('!#$&+-.^_`|~AZaz09'), '!#$&+-.^_`|~AZaz09');
    assert.equal(encodeRfc5987(' \'*%;,()="/\\'), '%20%27%2A%25%3B%2C%28%29%3D%22%2F%5C');
    assert.equal(encodeRfc5987('é😀'), '%C3%A9%F0%9F%98%80');
  });

  it('has a fallback even when nothing ASCII remains or the name is empty', () => {
    assert.match(contentDisposition(''), /^attachment; filename="download"; filename\*=UTF-8''download$/);
    assert.equal(asciiFallback('   '), 'download');
  });

  it('rejects an unknown disposition type', () => {
    assert.throws(() => contentDisposition('a', 'evil' as 'inline'), TypeError);
  });
});
