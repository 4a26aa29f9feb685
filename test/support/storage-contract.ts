import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';
import { isDomainError } from '../../domain/shared/errors';

export interface StorageUnderTest {
  storage: ObjectStorage;
  cleanup: () => Promise<void>;
}

/**
 * Adapter tests configure a multipart threshold of 256 KiB and parts of 100 KiB (the OSS minimum),
 * so these sizes exercise both the single-request and the multipart paths. The large size is not a
 * multiple of the part size, so its last part is short.
 */
export const LARGE_OBJECT_SIZE = 3 * 1024 * 1024 + 12_345;

export const hasCode = (code: string) => (e: unknown) => {
  assert.ok(isDomainError(e), `expected a DomainError ${code}, got ${String(e)}`);
  assert.equal(e.code, code);
  return true;
};

export const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** Streams `data` in uneven chunks, so no chunk lines up with a part boundary. */
export function chunked(data: Buffer, chunkSize = 64 * 1024 + 7): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= data.length) return void this.push(null);
      this.push(data.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

/** Emits `bytesBeforeError` bytes, then fails with `error`. */
export function failingStream(bytesBeforeError: number, error: Error): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytesBeforeError) return void setImmediate(() => this.destroy(error));
      const n = Math.min(32 * 1024, bytesBeforeError - sent);
      sent += n;
      this.push(crypto.randomBytes(n));
    },
  });
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listAll(storage: ObjectStorage, prefix: string, pageSize: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await storage.list(prefix, cursor, pageSize);
    pages.push(page.keys);
    if (page.nextCursor === null) return pages;
    assert.ok(pages.length < 100, 'list does not terminate');
    cursor = page.nextCursor;
  }
}

/**
 * The behaviour every ObjectStorage adapter must share. Each adapter's test calls this with a
 * factory for a fresh, empty, started storage; adapter-specific behaviour is tested beside it.
 */
export function storageContract(name: string, makeStorage: () => Promise<StorageUnderTest>): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let storage: ObjectStorage;
    let cleanup: () => Promise<void>;

    before(async () => {
      ({ storage, cleanup } = await makeStorage());
    });
    after(async () => {
      await cleanup();
    });

    for (const [label, size] of [
      ['0 B', 0],
      ['1 B', 1],
      ['1 MiB + 1 B', 1024 * 1024 + 1],
      ['a multipart-sized object', LARGE_OBJECT_SIZE],
    ] as const) {
      for (const declared of [true, false]) {
        it(`round-trips ${label} byte for byte (size ${declared ? 'declared' : 'unknown'})`, async () => {
          const data = crypto.randomBytes(size);
          const key = `roundtrip/${size}-${declared}.bin`;
          const result = await storage.put(key, chunked(data), declared ? { size } : {});
          assert.equal(result.key, key);
          assert.equal(result.size, size);
          const back = await readAll(await storage.get(key));
          assert.equal(back.length, size);
          assert.equal(sha256(back), sha256(data));
          const head = await storage.head(key);
          assert.ok(head);
          assert.equal(head.key, key);
          assert.equal(head.size, size);
          assert.ok(head.etag, 'an etag');
          assert.ok(head.lastModified instanceof Date && !Number.isNaN(head.lastModified.getTime()));
        });
      }
    }

    for (const [label, total, size] of [
      ['small, declared size', 100 * 1024, 200 * 1024],
      ['small, unknown size', 50 * 1024, undefined],
      ['large, unknown size', 700 * 1024, undefined],
      ['large, declared size', 700 * 1024, LARGE_OBJECT_SIZE],
    ] as const) {
      it(`a body that fails midway (${label}) rejects with its error and leaves nothing`, async () => {
        const key = `failing/${label.replace(/\W+/g, '-')}`;
        const boom = new Error('client went away');
        await assert.rejects(
          storage.put(key, failingStream(total, boom), size ? { size } : {}),
          (e) => e === boom,
        );
        assert.equal(await storage.head(key), null);
        assert.deepEqual((await storage.list('failing/')).keys, []);
      });
    }

    it('a failed overwrite keeps the previous version intact', async () => {
      const key = 'failing-overwrite/doc';
      const v1 = crypto.randomBytes(1000);
      await storage.put(key, chunked(v1), { metadata: { version: '1' } });
      await assert.rejects(storage.put(key, failingStream(500 * 1024, new Error('boom'))), /boom/);
      assert.equal(sha256(await readAll(await storage.get(key))), sha256(v1));
      assert.equal((await storage.head(key))?.metadata.version, '1');
    });

    it('a body shorter or longer than its declared size is refused and leaves nothing', async () => {
      const data = crypto.randomBytes(10_000);
      for (const size of [9_999, 10_001]) {
        await assert.rejects(
          storage.put('mismatch/x', chunked(data), { size }),
          hasCode('STORAGE_SIZE_MISMATCH'),
        );
        assert.equal(await storage.head('mismatch/x'), null);
      }
    });

    describe('byte ranges', () => {
      const data = crypto.randomBytes(1000);
      const key = 'ranges/object.bin';
      before(async () => {
        await storage.put(key, chunked(data, 97), { size: data.length });
      });
      const read = async (start: number, end?: number) =>
        readAll(await storage.get(key, end === undefined ? { start } : { start, end }));

      it('reads the first byte', async () => {
        assert.deepEqual(await read(0, 0), data.subarray(0, 1));
      });
      it('reads a middle slice, both ends inclusive', async () => {
        assert.deepEqual(await read(100, 199), data.subarray(100, 200));
      });
      it('reads from an offset to the end', async () => {
        assert.deepEqual(await read(900), data.subarray(900));
      });
      it('clamps an end beyond the object', async () => {
        assert.deepEqual(await read(990, 5000), data.subarray(990));
      });
      it('refuses a range starting past the end, or reversed', async () => {
        await assert.rejects(read(1000), hasCode('STORAGE_INVALID_RANGE'));
        await assert.rejects(read(5, 2), hasCode('STORAGE_INVALID_RANGE'));
        await assert.rejects(read(-1), hasCode('STORAGE_INVALID_RANGE'));
      });
    });

    it('head of a missing key is null; get of it is STORAGE_NOT_FOUND', async () => {
      assert.equal(await storage.head('missing/nothing-here'), null);
      await assert.rejects(storage.get('missing/nothing-here'), hasCode('STORAGE_NOT_FOUND'));
      await assert.rejects(storage.get('missing/nothing-here', { start: 0 }), hasCode('STORAGE_NOT_FOUND'));
    });

    it('delete is idempotent', async () => {
      await storage.put('delete/me', chunked(Buffer.from('bye')));
      await storage.delete('delete/me');
      assert.equal(await storage.head('delete/me'), null);
      await storage.delete('delete/me');
      await storage.delete('delete/never-existed');
      assert.deepEqual((await storage.list('delete/')).keys, []);
    });

    it('rejects invalid keys with STORAGE_INVALID_KEY in every operation', async () => {
      const bad = [
        '',
        '../x',
        '/abs',
        'a/../../b',
        'a\\b',
        'a\u0000b',
        'a\nb',
        'a//b',
        'a/./b',
        'dir/',
        'x'.repeat(1025),
      ];
      for (const key of bad) {
        const invalid = hasCode('STORAGE_INVALID_KEY');
        await assert.rejects(storage.put(key, chunked(Buffer.from('x'))), invalid, JSON.stringify(key));
        await assert.rejects(storage.get(key), invalid);
        await assert.rejects(storage.head(key), invalid);
        await assert.rejects(storage.delete(key), invalid);
        await assert.rejects(storage.signedUrl(key, 60), invalid);
      }
    });

    it('accepts unusual but valid keys', async () => {
      for (const key of ['odd/..x/.hidden', 'odd/中文 名字 (1).pdf', 'odd/a+b&c=d%20e#f?g']) {
        await storage.put(key, chunked(Buffer.from(key)));
        assert.equal((await readAll(await storage.get(key))).toString(), key);
      }
      assert.deepEqual((await storage.list('odd/')).keys, [
        'odd/..x/.hidden',
        'odd/a+b&c=d%20e#f?g',
        'odd/中文 名字 (1).pdf',
      ]);
    });

    it('lists keys under a prefix in byte order, page by page', async () => {
      const inside = ['list/a', 'list/b-c', 'list/b/1', 'list/b/2', 'list/c', 'list/z/y/x'];
      for (const key of [...inside, 'listx', 'other/list/a', 'lis']) {
        await storage.put(key, chunked(Buffer.from(key)));
      }
      const pages = await listAll(storage, 'list/', 2);
      assert.deepEqual(pages.flat(), inside);
      assert.ok(pages.every((p) => p.length <= 2));
      assert.ok(pages.length >= 3);
      assert.deepEqual((await listAll(storage, 'list/b', 1000)).flat(), ['list/b-c', 'list/b/1', 'list/b/2']);
      assert.deepEqual((await storage.list('list/', 'list/b/1', 2)).keys, ['list/b/2', 'list/c']);
      assert.deepEqual((await storage.list('nothing/')).keys, []);
      assert.equal((await storage.list('list/', undefined, 1000)).nextCursor, null);
      await assert.rejects(storage.list('list/', undefined, 0), hasCode('STORAGE_INVALID_LIMIT'));
    });

    it('preserves content type and metadata, with lower-cased metadata keys', async () => {
      await storage.put('meta/report.csv', chunked(Buffer.from('a,b\n')), {
        contentType: 'text/csv; charset=utf-8',
        metadata: { 'biz-type': 'invoice', 'File-Name': '发票 2024 "Q1".pdf', empty: '' },
      });
      const head = await storage.head('meta/report.csv');
      assert.equal(head?.contentType, 'text/csv; charset=utf-8');
      assert.deepEqual(head?.metadata, {
        'biz-type': 'invoice',
        'file-name': '发票 2024 "Q1".pdf',
        empty: '',
      });
      await storage.put('meta/plain', chunked(Buffer.from('x')));
      assert.equal((await storage.head('meta/plain'))?.contentType, 'application/octet-stream');
      assert.deepEqual((await storage.head('meta/plain'))?.metadata, {});
      await assert.rejects(
        storage.put('meta/bad', chunked(Buffer.from('x')), { metadata: { 'bad key': 'x' } }),
        hasCode('STORAGE_INVALID_METADATA'),
      );
    });

    it('an overwrite replaces bytes, content type and metadata together', async () => {
      const key = 'overwrite/doc';
      await storage.put(key, chunked(crypto.randomBytes(5000)), {
        contentType: 'text/plain',
        metadata: { old: 'yes' },
      });
      const v2 = crypto.randomBytes(300 * 1024);
      await storage.put(key, chunked(v2), { contentType: 'image/png', metadata: { version: '2' } });
      assert.equal(sha256(await readAll(await storage.get(key))), sha256(v2));
      const head = await storage.head(key);
      assert.equal(head?.size, v2.length);
      assert.equal(head?.contentType, 'image/png');
      assert.deepEqual(head?.metadata, { version: '2' });
      assert.deepEqual((await storage.list('overwrite/')).keys, [key]);
    });

    it('readers of the old version are unaffected by an overwrite', async () => {
      const key = 'overwrite/reader';
      const v1 = crypto.randomBytes(200 * 1024);
      await storage.put(key, chunked(v1));
      const reading = await storage.get(key);
      await storage.put(key, chunked(crypto.randomBytes(1000)));
      const seen = await readAll(reading);
      // Either the old version whole (disk, open descriptor) or, never, a mix of both.
      assert.equal(sha256(seen), sha256(v1));
    });
  });
}
