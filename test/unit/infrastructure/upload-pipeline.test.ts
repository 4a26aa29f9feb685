import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { LocalDiskStorage } from '../../../mixins/storage/local-disk.storage';
import { storeUpload } from '../../../mixins/files/upload-pipeline';
import { uploadKey } from '../../../domain/files/upload-fields';
import { uploadRulesOf, checkBizTypeCode } from '../../../domain/files/upload-rules';
import { checkBizDomain, uploadName } from '../../../domain/files/upload-fields';
import { SNIFF_BYTES } from '../../../domain/files/content-type';
import { loadAppConfig } from '../../../mixins/config/app-config';

const PDF_HEAD = Buffer.from('%PDF-1.7\n');
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
/** The bytes in chunks of the given sizes, as a client's stream would deliver them. */
const chunks = (b: Buffer, size: number) => {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return Readable.from(out);
};
const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

describe('upload rules of a biz type', () => {
  it('narrows the global limit, never lifts it, and reads contentTypes', () => {
    assert.deepEqual(uploadRulesOf({ code: 'a', kind: 'FILE', rules: { maxSize: 10 } }, 100), {
      bizType: 'a',
      maxBytes: 10,
      contentTypes: [],
    });
    assert.equal(uploadRulesOf({ code: 'a', kind: 'FILE', rules: { maxSize: 1000 } }, 100).maxBytes, 100);
    assert.equal(uploadRulesOf({ code: 'a', kind: 'FILE', rules: { maxSize: null } }, 100).maxBytes, 100);
    assert.equal(uploadRulesOf({ code: 'a', kind: 'FILE', rules: { maxSize: '5' } }, 100).maxBytes, 100);
    assert.equal(uploadRulesOf({ code: 'a', kind: 'FILE' }, 100).maxBytes, 100);
    assert.deepEqual(
      uploadRulesOf({ code: 'a', kind: 'FILE', rules: { contentTypes: ['image/png', 3, ''] } }, 1)
        .contentTypes,
      ['image/png'],
    );
    assert.throws(() => uploadRulesOf({ code: 'e', kind: 'EXPORT' }, 1), code('BIZ_TYPE_NOT_UPLOADABLE'));
  });

  it('checks the fields before any lookup', () => {
    assert.throws(() => checkBizTypeCode(undefined), code('BIZ_TYPE_REQUIRED'));
    assert.throws(() => checkBizTypeCode('  '), code('BIZ_TYPE_REQUIRED'));
    assert.throws(() => checkBizTypeCode('../x'), code('UNKNOWN_BIZ_TYPE'));
    assert.equal(checkBizTypeCode(' invoice '), 'invoice');
    assert.equal(checkBizDomain(''), null);
    assert.equal(checkBizDomain('trade'), 'trade');
    assert.throws(() => checkBizDomain('a/b'), code('INVALID_BIZ_DOMAIN'));
    assert.equal(uploadName('', 'C:\\Users\\x\\a.pdf'), 'a.pdf');
    assert.equal(uploadName('named.pdf', 'other.pdf'), 'named.pdf');
    assert.throws(() => uploadName(undefined, undefined), code('FILE_NAME_REQUIRED'));
  });

  it('reads UPLOAD_MAX_BYTES and the download settings', () => {
    const c = loadAppConfig({
      UPLOAD_MAX_BYTES: '2048',
      DOWNLOAD_LINK_TTL_SECONDS: '60',
      PUBLIC_BASE_URL: 'https://files.example.com/',
    });
    assert.deepEqual(
      [c.http.uploadMaxBytes, c.downloads.linkTtlSeconds, c.downloads.publicBaseUrl, c.downloads.redirect],
      [2048, 60, 'https://files.example.com', 'stream'],
    );
    const d = loadAppConfig({});
    assert.deepEqual(
      [d.http.uploadMaxBytes, d.downloads.linkTtlSeconds, d.downloads.publicBaseUrl],
      [1024 ** 3, 300, null],
    );
    assert.throws(() => loadAppConfig({ DOWNLOAD_REDIRECT: 'oss' }), /OSS_BUCKET/);
    assert.throws(() => loadAppConfig({ PUBLIC_BASE_URL: 'ftp://x' }), /PUBLIC_BASE_URL/);
    assert.throws(() => loadAppConfig({ DOWNLOAD_LINK_SECRET: 'short' }), /DOWNLOAD_LINK_SECRET/);
  });
});

describe('upload pipeline on local disk', () => {
  let root: string;
  let storage: LocalDiskStorage;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'ftc-upload-'));
    storage = new LocalDiskStorage(root);
    await storage.start();
  });
  after(() => fs.rm(root, { recursive: true, force: true }));
  const rules = (maxBytes: number, contentTypes: string[] = []) => ({ bizType: 't', maxBytes, contentTypes });
  const nothingLeft = async () => {
    assert.deepEqual((await storage.list('')).keys, []);
    assert.deepEqual(await fs.readdir(path.join(root, '.tmp')), []);
  };

  it('stores byte-exact with the sha256, whatever the chunking around the 8 KiB head', async () => {
    for (const [size, chunk] of [
      [0, 1],
      [1, 1],
      [SNIFF_BYTES - 1, 1000],
      [SNIFF_BYTES, SNIFF_BYTES],
      [SNIFF_BYTES + 1, 3],
      [100_000, 7777],
    ] as const) {
      const bytes = Buffer.concat([
        PDF_HEAD,
        crypto.randomBytes(Math.max(0, size - PDF_HEAD.length)),
      ]).subarray(0, size);
      const key = uploadKey(`T${size}`, new Date(Date.UTC(2026, 10, 24)));
      const stored = await storeUpload(storage, chunks(bytes, chunk), { key, rules: rules(size) });
      assert.deepEqual([stored.size, stored.sha256], [size, sha(bytes)], `${size}/${chunk}`);
      assert.equal(key, `files/2026/11/T${size}`);
      const back: Buffer[] = [];
      for await (const c of await storage.get(key)) back.push(c as Buffer);
      assert.ok(Buffer.concat(back).equals(bytes));
      await storage.delete(key);
    }
    await nothingLeft();
  });

  it('refuses one byte over the limit, in the head or after it, and stores nothing', async () => {
    for (const size of [100, SNIFF_BYTES * 3]) {
      const bytes = Buffer.concat([PDF_HEAD, Buffer.alloc(size + 1 - PDF_HEAD.length, 0x20)]);
      await assert.rejects(
        storeUpload(storage, chunks(bytes, 1000), { key: 'files/x/too-big', rules: rules(size) }),
        code('FILE_TOO_LARGE'),
      );
    }
    await nothingLeft();
  });

  it('decides the type from the bytes before writing anything', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]);
    await assert.rejects(
      storeUpload(storage, chunks(exe, 10), {
        key: 'files/x/exe',
        rules: rules(1000, ['application/pdf']),
        declaredType: 'application/pdf',
      }),
      code('UNSUPPORTED_CONTENT_TYPE'),
    );
    const stored = await storeUpload(storage, chunks(Buffer.from(''), 1), {
      key: 'files/x/empty-text',
      rules: rules(10, ['text/plain']),
      declaredType: 'text/plain',
    });
    assert.equal(stored.contentType, 'text/plain', 'an empty file is a valid empty text');
    await storage.delete('files/x/empty-text');
    await nothingLeft();
  });

  it('removes the partial object when the source fails mid-way', async () => {
    let n = 0;
    const failing = new Readable({
      read() {
        if (n++ < 5) this.push(Buffer.concat([PDF_HEAD, Buffer.alloc(5000, 0x20)]));
        else this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(
      storeUpload(storage, failing, { key: 'files/x/broken', rules: rules(1e9) }),
      /went away/,
    );
    await new Promise((r) => setTimeout(r, 50));
    await nothingLeft();
  });
});
