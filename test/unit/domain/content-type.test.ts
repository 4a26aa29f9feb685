import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import {
  checkContentType,
  DOCX,
  PPTX,
  SNIFF_BYTES,
  sniffContentType,
  XLSX,
} from '../../../domain/files/content-type';
import { isDomainError } from '../../../domain/shared/errors';

// ---- small real sample files, built byte by byte ----

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]); // 1×1 RGBA
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  pngChunk('IHDR', ihdr),
]);
const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1');
const JPEG = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00,
]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(14)]);
const GZIP = zlib.gzipSync(Buffer.from('hello'));
const OLE2 = Buffer.concat([
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  Buffer.alloc(504),
]);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);
const PE = Buffer.concat([
  Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'),
  Buffer.alloc(56),
  Buffer.from('PE\0\0'),
]);
const MACHO = Buffer.concat([Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), Buffer.alloc(24)]);
const SHEBANG = Buffer.from('#!/bin/sh\nrm -rf "$HOME"\n');

/** A zip local file header (+ data), optionally streaming-style: data-descriptor flag, zero sizes. */
function zipEntry(name: string, data: Buffer, { streamed = false, method = 0 } = {}): Buffer {
  const h = Buffer.alloc(30);
  h.write('PK\x03\x04', 0, 'latin1');
  h.writeUInt16LE(20, 4); // version needed
  h.writeUInt16LE(streamed ? 0x08 : 0, 6);
  h.writeUInt16LE(method, 8);
  h.writeUInt32LE(streamed ? 0 : zlib.crc32(data), 14);
  h.writeUInt32LE(streamed ? 0 : data.length, 18);
  h.writeUInt32LE(streamed ? 0 : data.length, 22);
  h.writeUInt16LE(Buffer.byteLength(name), 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, Buffer.from(name), data]);
}
const xml = Buffer.from('<?xml version="1.0"?><x/>');
const ooxml = (part: string, streamed = false) =>
  Buffer.concat([
    zipEntry('[Content_Types].xml', zlib.deflateRawSync(xml), { streamed, method: 8 }),
    zipEntry('_rels/.rels', zlib.deflateRawSync(xml), { streamed, method: 8 }),
    zipEntry(part, zlib.deflateRawSync(xml), { streamed, method: 8 }),
  ]);
const XLSX_FILE = ooxml('xl/workbook.xml');
const DOCX_FILE = ooxml('word/document.xml', true);
const PPTX_FILE = ooxml('ppt/presentation.xml');
const OOXML_UNKNOWN = zipEntry('[Content_Types].xml', zlib.deflateRawSync(xml), { method: 8 });
const ODS = zipEntry('mimetype', Buffer.from('application/vnd.oasis.opendocument.spreadsheet'));
const ZIP = zipEntry('notes/readme.txt', Buffer.from('hi'));
const EMPTY_ZIP = Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]);

const CSV = Buffer.from('order_no,amount\n20261100000001,12.50\n');
const CSV_BOM = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('订单号,金额\n1,2\n')]);
const CSV_GBK = Buffer.from([
  0xb6, 0xa9, 0xb5, 0xa5, 0x2c, 0xbd, 0xf0, 0xb6, 0xee, 0x0d, 0x0a, 0x31, 0x2c, 0x32,
]); // 订单,金额
const UTF16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tb\r\n', 'utf16le')]);
const JSON_FILE = Buffer.from('  \n[{"a": 1}]');
const XML_FILE = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><root/>');

function garbage(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    b[i] = seed >>> 24;
  }
  return b;
}

function rejected(reason: 'MISMATCH' | 'EXECUTABLE' | 'NOT_ALLOWED') {
  return (e: unknown) =>
    isDomainError(e) &&
    e.kind === 'UNSUPPORTED_TYPE' &&
    e.code === 'UNSUPPORTED_CONTENT_TYPE' &&
    e.data?.reason === reason;
}

describe('sniffContentType', () => {
  it('recognises the common business formats from their bytes', () => {
    const cases: [Buffer, string | null][] = [
      [PDF, 'application/pdf'],
      [PNG, 'image/png'],
      [JPEG, 'image/jpeg'],
      [GIF, 'image/gif'],
      [WEBP, 'image/webp'],
      [GZIP, 'application/gzip'],
      [OLE2, 'application/x-ole-storage'],
      [XLSX_FILE, XLSX],
      [DOCX_FILE, DOCX],
      [PPTX_FILE, PPTX],
      [OOXML_UNKNOWN, 'application/zip'],
      [ODS, 'application/vnd.oasis.opendocument.spreadsheet'],
      [ZIP, 'application/zip'],
      [EMPTY_ZIP, 'application/zip'],
      [CSV, 'text/plain'],
      [CSV_BOM, 'text/plain'],
      [CSV_GBK, 'text/plain'],
      [UTF16, 'text/plain'],
      [JSON_FILE, 'application/json'],
      [XML_FILE, 'application/xml'],
      [garbage(SNIFF_BYTES), null],
      [Buffer.alloc(0), null],
    ];
    for (const [bytes, type] of cases)
      assert.equal(sniffContentType(bytes), type, bytes.subarray(0, 16).toString('hex'));
  });

  it('recognises executables', () => {
    assert.equal(sniffContentType(ELF), 'application/x-executable');
    assert.equal(sniffContentType(PE), 'application/x-msdownload');
    assert.equal(sniffContentType(MACHO), 'application/x-mach-binary');
    assert.equal(sniffContentType(SHEBANG), 'text/x-shellscript');
    // A text that merely starts with "MZ" is not a PE file.
    assert.equal(sniffContentType(Buffer.from('MZ is a state abbreviation,1\n')), 'text/plain');
  });

  it('tolerates a UTF-8 character cut at the end of the head', () => {
    const text = Buffer.from('订单'.repeat(3000)).subarray(0, SNIFF_BYTES - 1);
    assert.equal(sniffContentType(text), 'text/plain');
  });

  it('treats NUL and binary control bytes as binary, and PDF only at offset 0', () => {
    assert.equal(sniffContentType(Buffer.from('abc\0def')), null);
    assert.equal(sniffContentType(Buffer.from('abc\x01def')), null);
    assert.equal(sniffContentType(Buffer.from('version,%PDF-1.7\n')), 'text/plain');
    assert.equal(sniffContentType(Buffer.from('<html>%PDF-1.4')), 'text/plain');
  });
});

describe('checkContentType', () => {
  it('answers the sniffed type when nothing is declared and anything is allowed', () => {
    assert.equal(checkContentType({ head: PDF }), 'application/pdf');
    assert.equal(
      checkContentType({ declared: 'application/octet-stream', head: PNG, allowed: [] }),
      'image/png',
    );
    assert.equal(checkContentType({ declared: '', head: garbage(100) }), 'application/octet-stream');
    // A malformed claim is no claim: it could not be stored or sent back as a header anyway.
    for (const declared of ['image/png\r\nX-Evil: 1', 'pdf', '图片/png', `a/${'b'.repeat(200)}`]) {
      assert.equal(checkContentType({ declared, head: garbage(100) }), 'application/octet-stream');
    }
    assert.equal(checkContentType({ declared: 'text/csv bad', head: CSV }), 'text/plain');
  });

  it('lets the declared type refine what the bytes cannot tell', () => {
    assert.equal(checkContentType({ declared: 'text/csv', head: CSV }), 'text/csv');
    assert.equal(checkContentType({ declared: 'text/csv; charset=gbk', head: CSV_GBK }), 'text/csv');
    assert.equal(checkContentType({ declared: 'application/vnd.ms-excel', head: CSV }), 'text/csv');
    assert.equal(checkContentType({ declared: 'application/json', head: CSV }), 'application/json');
    assert.equal(checkContentType({ declared: 'text/csv', head: JSON_FILE }), 'text/csv');
    assert.equal(checkContentType({ declared: XLSX, head: OOXML_UNKNOWN }), XLSX);
    assert.equal(checkContentType({ declared: 'application/zip', head: XLSX_FILE }), XLSX);
    assert.equal(
      checkContentType({ declared: 'application/x-zip-compressed', head: ZIP }),
      'application/zip',
    );
    assert.equal(
      checkContentType({ declared: 'application/vnd.ms-excel', head: OLE2 }),
      'application/vnd.ms-excel',
    );
    assert.equal(checkContentType({ declared: 'IMAGE/JPG', head: JPEG }), 'image/jpeg');
    // Unknown bytes under a type we have no signature for: the claim cannot be checked, so it stands.
    assert.equal(checkContentType({ declared: 'video/mp4', head: garbage(64) }), 'video/mp4');
  });

  it('rejects a declared type the bytes contradict', () => {
    const cases: [string, Buffer][] = [
      ['image/png', PDF],
      ['application/pdf', PNG],
      ['image/jpeg', GIF],
      ['text/csv', garbage(256)],
      ['application/pdf', garbage(256)],
      ['application/pdf', Buffer.alloc(0)],
      ['application/pdf', CSV],
      [DOCX, XLSX_FILE],
      [XLSX, ZIP],
      [XLSX, ZIP.subarray(0, 4)],
      [XLSX, PDF],
      ['application/vnd.oasis.opendocument.spreadsheet', ZIP],
      ['application/pdf', OLE2],
      ['application/vnd.ms-excel', XLSX_FILE],
      ['image/png', CSV],
      ['text/x-shellscript', CSV],
    ];
    for (const [declared, head] of cases) {
      assert.throws(() => checkContentType({ declared, head }), rejected('MISMATCH'), declared);
    }
  });

  it('always rejects executables unless the exact type is allowed', () => {
    for (const head of [ELF, PE, MACHO, SHEBANG]) {
      for (const declared of [undefined, 'application/pdf', 'text/plain', 'application/octet-stream']) {
        assert.throws(() => checkContentType({ declared, head }), rejected('EXECUTABLE'));
        assert.throws(
          () => checkContentType({ declared, head, allowed: ['application/*', 'text/*'] }),
          rejected('EXECUTABLE'),
        );
      }
    }
    assert.throws(
      () => checkContentType({ declared: 'application/x-msdownload', head: garbage(64) }),
      rejected('EXECUTABLE'),
    );
    assert.equal(
      checkContentType({ head: ELF, allowed: ['application/x-executable'] }),
      'application/x-executable',
    );
  });

  it('enforces the allowed list, with wildcards and aliases', () => {
    const allowed = ['application/pdf', 'image/png'];
    assert.equal(checkContentType({ declared: 'application/pdf', head: PDF, allowed }), 'application/pdf');
    assert.throws(
      () => checkContentType({ declared: 'image/jpeg', head: JPEG, allowed }),
      rejected('NOT_ALLOWED'),
    );
    assert.throws(() => checkContentType({ head: CSV, allowed: ['text/csv'] }), rejected('NOT_ALLOWED'));
    assert.throws(
      () => checkContentType({ declared: 'text/plain', head: CSV, allowed: ['text/csv'] }),
      rejected('NOT_ALLOWED'),
    );
    assert.equal(checkContentType({ declared: 'text/csv', head: CSV, allowed: ['text/csv'] }), 'text/csv');
    assert.equal(checkContentType({ head: WEBP, allowed: ['image/*'] }), 'image/webp');
    assert.throws(() => checkContentType({ head: PDF, allowed: ['image/*'] }), rejected('NOT_ALLOWED'));
    assert.equal(
      checkContentType({ declared: 'image/jpeg', head: JPEG, allowed: ['Image/JPG'] }),
      'image/jpeg',
    );
    assert.equal(checkContentType({ declared: XLSX, head: XLSX_FILE, allowed: [XLSX, 'text/csv'] }), XLSX);
    assert.throws(
      () => checkContentType({ declared: 'video/mp4', head: garbage(64), allowed }),
      rejected('NOT_ALLOWED'),
    );
  });

  it('reports the declared, detected and allowed types in the error data', () => {
    try {
      checkContentType({ declared: 'image/png', head: PDF, allowed: ['image/png'] });
      assert.fail('expected a rejection');
    } catch (e) {
      assert.ok(isDomainError(e));
      assert.deepEqual(e.data, {
        reason: 'MISMATCH',
        declared: 'image/png',
        detected: 'application/pdf',
        allowed: ['image/png'],
      });
    }
  });
});
