import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalDiskStorage } from '../../../mixins/storage/local-disk.storage';
import { createObjectStorage } from '../../../mixins/storage/storage.factory';
import { OssStorage } from '../../../mixins/storage/oss.storage';
import { loadAppConfig } from '../../../mixins/config/app-config';
import { chunked, failingStream, hasCode, readAll } from '../../support/storage-contract';
import { storageContract } from '../../support/storage-contract';

// Pure local filesystem work, fast enough for the unit tier.

const tempRoot = () => fs.mkdtemp(path.join(os.tmpdir(), 'ftc-objects-'));

storageContract('LocalDiskStorage', async () => {
  const root = await tempRoot();
  const storage = new LocalDiskStorage(root);
  await storage.start();
  return {
    storage,
    cleanup: async () => {
      assert.deepEqual(await fs.readdir(path.join(root, '.tmp')), [], 'no temp file may be left behind');
      await fs.rm(root, { recursive: true, force: true });
    },
  };
});

describe('LocalDiskStorage specifics', () => {
  let root: string;
  let storage: LocalDiskStorage;

  before(async () => {
    root = await tempRoot();
    storage = new LocalDiskStorage(root);
    await storage.start();
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('keeps bytes under data/ and the sidecar under .meta/, neither visible as keys', async () => {
    await storage.put('a/b.txt', chunked(Buffer.from('hello')), { contentType: 'text/plain' });
    assert.equal(await fs.readFile(path.join(root, 'data/a/b.txt'), 'utf8'), 'hello');
    const sidecar = JSON.parse(await fs.readFile(path.join(root, '.meta/a/b.txt'), 'utf8')) as {
      md5: string;
    };
    assert.equal(sidecar.md5, crypto.createHash('md5').update('hello').digest('hex'));
    assert.equal((await storage.head('a/b.txt'))?.etag, sidecar.md5);
    assert.deepEqual((await storage.list('')).keys, ['a/b.txt']);
  });

  it('falls back to a weak etag when the sidecar does not describe the file', async () => {
    await storage.put('weak/x', chunked(Buffer.from('12345')));
    await fs.writeFile(path.join(root, 'data/weak/x'), 'changed behind our back');
    const head = await storage.head('weak/x');
    assert.match(String(head?.etag), /^W\/"/);
    assert.equal(head?.size, 'changed behind our back'.length);
  });

  it('removes the sidecar and empty folders on delete', async () => {
    await storage.put('deep/er/still/x', chunked(Buffer.from('x')));
    await storage.delete('deep/er/still/x');
    await assert.rejects(fs.stat(path.join(root, 'data/deep')), { code: 'ENOENT' });
    await assert.rejects(fs.stat(path.join(root, '.meta/deep')), { code: 'ENOENT' });
  });

  it('leaves no temp file after a failed put', async () => {
    await assert.rejects(storage.put('tmp/x', failingStream(100_000, new Error('boom'))), /boom/);
    assert.deepEqual(await fs.readdir(path.join(root, '.tmp')), []);
  });

  it('refuses a key that clashes with a folder of other keys', async () => {
    await storage.put('clash/a', chunked(Buffer.from('x')));
    await assert.rejects(
      storage.put('clash/a/b', chunked(Buffer.from('y'))),
      hasCode('STORAGE_KEY_CONFLICT'),
    );
    await storage.put('clash2/a/b', chunked(Buffer.from('y')));
    await assert.rejects(storage.put('clash2/a', chunked(Buffer.from('x'))), hasCode('STORAGE_KEY_CONFLICT'));
    assert.equal(await storage.head('clash2/a'), null);
    await assert.rejects(storage.get('clash2/a'), hasCode('STORAGE_NOT_FOUND'));
    await storage.delete('clash2/a');
    assert.equal((await readAll(await storage.get('clash2/a/b'))).toString(), 'y');
    assert.deepEqual(await fs.readdir(path.join(root, '.tmp')), []);
  });

  it('refuses a path segment longer than the filesystem allows', async () => {
    await assert.rejects(
      storage.put(`long/${'x'.repeat(256)}`, chunked(Buffer.from('x'))),
      hasCode('STORAGE_INVALID_KEY'),
    );
  });

  it('cannot sign URLs', async () => {
    assert.equal(await storage.signedUrl('a/b.txt', 60, 'b.txt'), null);
  });

  it('removes temp files older than an hour at start, and only those', async () => {
    const tmp = path.join(root, '.tmp');
    await fs.writeFile(path.join(tmp, 'stale'), 'x');
    await fs.writeFile(path.join(tmp, 'fresh'), 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await fs.utimes(path.join(tmp, 'stale'), twoHoursAgo, twoHoursAgo);
    await new LocalDiskStorage(root).start();
    assert.deepEqual(await fs.readdir(tmp), ['fresh']);
    await fs.rm(path.join(tmp, 'fresh'));
  });
});

describe('createObjectStorage', () => {
  it('uses local disk under DATA_DIR/objects by default, and OSS when OSS_BUCKET is set', () => {
    const local = createObjectStorage(loadAppConfig({ DATA_DIR: '/srv/ftc' }));
    assert.ok(local instanceof LocalDiskStorage);
    assert.equal(local.root, path.resolve('/srv/ftc/objects'));
    const oss = createObjectStorage(
      loadAppConfig({
        OSS_BUCKET: 'ftc-bucket',
        OSS_REGION: 'oss-cn-hangzhou',
        OSS_ACCESS_KEY_ID: 'id',
        OSS_ACCESS_KEY_SECRET: 'secret',
      }),
    );
    assert.ok(oss instanceof OssStorage);
    assert.equal(oss.kind, 'oss');
  });
});
