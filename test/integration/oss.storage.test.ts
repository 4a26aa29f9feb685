import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { OssConfig } from '../../mixins/config/app-config';
import { OssStorage, type OssStorageOptions } from '../../mixins/storage/oss.storage';
import { FakeOssServer } from '../support/fake-oss-server';
import {
  LARGE_OBJECT_SIZE,
  chunked,
  failingStream,
  hasCode,
  readAll,
  sha256,
  storageContract,
} from '../support/storage-contract';

// No real server needed: the real ali-oss client talks to a local fake that checks its signatures.

const CREDENTIALS = { bucket: 'ftc-test', accessKeyId: 'LTAI-test-id', accessKeySecret: 'test-secret' };
const PART_SIZE = 100 * 1024;

function configFor(fake: FakeOssServer, overrides: Partial<OssConfig> = {}): OssConfig {
  return {
    region: 'oss-cn-hangzhou',
    ...CREDENTIALS,
    endpoint: fake.endpoint,
    secure: false,
    prefix: 'tenant-a',
    multipartThreshold: 256 * 1024,
    ...overrides,
  };
}

const options: OssStorageOptions = { cname: true, partSize: PART_SIZE, timeoutMs: 10_000 };

storageContract('OssStorage (ali-oss against a fake OSS)', async () => {
  const fake = await FakeOssServer.start(CREDENTIALS);
  const storage = new OssStorage(configFor(fake), options);
  await storage.start();
  return {
    storage,
    cleanup: async () => {
      assert.equal(fake.pendingUploads(), 0, 'no multipart upload may be left behind');
      assert.deepEqual(
        fake.requests.filter((r) => r.errorCode === 'SignatureDoesNotMatch'),
        [],
        'every request ali-oss sent was correctly signed',
      );
      await storage.stop();
      await fake.close();
    },
  };
});

describe('OssStorage specifics', () => {
  let fake: FakeOssServer;
  let storage: OssStorage;

  before(async () => {
    fake = await FakeOssServer.start(CREDENTIALS);
    storage = new OssStorage(configFor(fake), options);
    await storage.start();
  });
  after(async () => {
    await fake.close();
  });

  const since = (mark: number) => fake.requests.slice(mark);

  it('stores keys under the configured prefix, and lists without it', async () => {
    await storage.put('docs/a.txt', chunked(Buffer.from('a')));
    assert.ok(fake.object('tenant-a/docs/a.txt'));
    assert.deepEqual((await storage.list('docs/')).keys, ['docs/a.txt']);
  });

  it('sends a small object of declared size as one signed PutObject with its length and type', async () => {
    const mark = fake.requests.length;
    await storage.put('small/one', chunked(crypto.randomBytes(1000)), {
      size: 1000,
      contentType: 'text/plain',
    });
    const sent = since(mark);
    assert.deepEqual(
      sent.map((r) => r.operation),
      ['PutObject'],
    );
    assert.equal(sent[0].headers['content-length'], '1000');
    assert.equal(sent[0].headers['content-type'], 'text/plain');
    assert.match(String(sent[0].headers.authorization), /^OSS LTAI-test-id:/);
    assert.ok(sent[0].headers['x-oss-date'], 'a date header');
  });

  it('uploads a large object in contiguous parts, one at a time, and completes once', async () => {
    const data = crypto.randomBytes(LARGE_OBJECT_SIZE);
    const mark = fake.requests.length;
    const result = await storage.put('large/object.bin', chunked(data), { contentType: 'application/zip' });
    const ops = since(mark).map((r) => r.operation);
    const parts = since(mark).filter((r) => r.operation === 'UploadPart');
    assert.equal(ops[0], 'InitiateMultipartUpload');
    assert.equal(ops[ops.length - 1], 'CompleteMultipartUpload');
    assert.equal(parts.length, Math.ceil(LARGE_OBJECT_SIZE / PART_SIZE));
    assert.deepEqual(
      parts.map((r) => Number(r.query.partNumber)),
      parts.map((_, i) => i + 1),
    );
    assert.ok(parts.slice(0, -1).every((r) => r.bodyBytes === PART_SIZE));
    assert.equal(ops.filter((o) => o === 'PutObject').length, 0);
    assert.equal(fake.peakConcurrency('UploadPart'), 1, 'one part in flight at a time');
    assert.equal(result.size, data.length);
    assert.match(String(result.etag), /-\d+$/, 'a multipart etag');
    assert.equal(sha256(fake.object('tenant-a/large/object.bin')!.body), sha256(data));
    assert.equal(fake.object('tenant-a/large/object.bin')!.contentType, 'application/zip');
  });

  it('sends a body of unknown size that fits in one part as a single PutObject', async () => {
    const mark = fake.requests.length;
    await storage.put('small/unknown', chunked(crypto.randomBytes(PART_SIZE - 1)));
    assert.deepEqual(
      since(mark).map((r) => r.operation),
      ['PutObject'],
    );
    assert.ok(since(mark)[0].headers['content-md5'], 'a buffered put carries Content-MD5');
  });

  it('aborts the multipart upload when the body fails midway, leaving no object', async () => {
    const mark = fake.requests.length;
    await assert.rejects(
      storage.put('large/failing', failingStream(5 * PART_SIZE + 10, new Error('gone'))),
      /gone/,
    );
    const ops = since(mark).map((r) => r.operation);
    assert.ok(ops.includes('UploadPart'));
    assert.equal(ops[ops.length - 1], 'AbortMultipartUpload');
    assert.equal(fake.pendingUploads(), 0);
    assert.equal(fake.object('tenant-a/large/failing'), undefined);
  });

  it('aborts the multipart upload when OSS fails a part, and reports STORAGE_UNAVAILABLE', async () => {
    fake.failWhen((r) =>
      r.operation === 'UploadPart' && r.query.partNumber === '3'
        ? { status: 500, code: 'InternalError' }
        : null,
    );
    try {
      const mark = fake.requests.length;
      await assert.rejects(
        storage.put('large/server-fails', chunked(crypto.randomBytes(LARGE_OBJECT_SIZE))),
        hasCode('STORAGE_UNAVAILABLE'),
      );
      const ops = since(mark).map((r) => r.operation);
      assert.equal(ops[ops.length - 1], 'AbortMultipartUpload');
      assert.ok(!ops.includes('CompleteMultipartUpload'));
      assert.equal(fake.pendingUploads(), 0);
      assert.equal(await storage.head('large/server-fails'), null);
    } finally {
      fake.failWhen(null);
    }
  });

  it('a single PutObject whose body fails is aborted on the wire and stores nothing', async () => {
    const mark = fake.requests.length;
    const boom = new Error('disconnected');
    await assert.rejects(
      storage.put('small/failing', failingStream(64 * 1024, boom), { size: 128 * 1024 }),
      (e) => e === boom,
    );
    const put = since(mark).find((r) => r.operation === 'PutObject');
    // The request may never reach the server's handler; if it did, it must not have completed.
    assert.ok(put === undefined || put.status === 0);
    assert.equal(fake.object('tenant-a/small/failing'), undefined);
  });

  it('maps a wrong secret to a clear STORAGE_ACCESS_DENIED, and start() fails on it', async () => {
    const wrong = new OssStorage(configFor(fake, { accessKeySecret: 'not-the-secret' }), options);
    await assert.rejects(wrong.start(), /not usable.*refused.*SignatureDoesNotMatch/s);
    await assert.rejects(wrong.put('x/y', chunked(Buffer.from('x'))), hasCode('STORAGE_ACCESS_DENIED'));
    await assert.rejects(wrong.get('docs/a.txt'), hasCode('STORAGE_ACCESS_DENIED'));
    await assert.rejects(wrong.list(''), hasCode('STORAGE_ACCESS_DENIED'));
    assert.equal(fake.requests[fake.requests.length - 1].errorCode, 'SignatureDoesNotMatch');
  });

  it('maps an unreachable endpoint to STORAGE_UNAVAILABLE', async () => {
    const closed = await FakeOssServer.start(CREDENTIALS);
    const endpoint = closed.endpoint;
    await closed.close();
    const down = new OssStorage(configFor(fake, { endpoint }), options);
    await assert.rejects(down.head('x'), hasCode('STORAGE_UNAVAILABLE'));
    await assert.rejects(down.start(), /not usable/);
  });

  it('signs URLs the server accepts, with the download name as content disposition', async () => {
    const data = crypto.randomBytes(2000);
    await storage.put('signed/report.xlsx', chunked(data));
    const url = await storage.signedUrl('signed/report.xlsx', 60, '订单 2024 "final".xlsx');
    assert.ok(url);
    const parsed = new URL(url);
    assert.equal(parsed.pathname, '/tenant-a/signed/report.xlsx');
    const disposition = parsed.searchParams.get('response-content-disposition');
    assert.match(String(disposition), /^attachment; filename="__ 2024 _final_.xlsx"; filename\*=UTF-8''/);

    const ok = await fetch(url);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-disposition'), disposition);
    assert.equal(sha256(Buffer.from(await ok.arrayBuffer())), sha256(data));
    const name = /filename\*=UTF-8''(.+)$/.exec(String(ok.headers.get('content-disposition')))![1];
    assert.equal(decodeURIComponent(name), '订单 2024 "final".xlsx');

    const plain = await storage.signedUrl('signed/report.xlsx', 60);
    assert.ok(plain && !plain.includes('response-content-disposition'));
    assert.equal((await fetch(plain)).status, 200);

    const tampered = new URL(url);
    tampered.searchParams.set('Expires', String(Number(tampered.searchParams.get('Expires')) + 3600));
    assert.equal((await fetch(tampered)).status, 403);
    const swapped = new URL(url);
    swapped.searchParams.set('response-content-disposition', 'attachment; filename="evil.exe"');
    assert.equal((await fetch(swapped)).status, 403);
  });

  it('addresses the bucket through the Host header with an IP endpoint, where it cannot sign URLs', async () => {
    const byIp = new OssStorage(configFor(fake, { endpoint: fake.ipEndpoint, prefix: '' }), {
      partSize: PART_SIZE,
    });
    const mark = fake.requests.length;
    await byIp.put('ip/x', chunked(Buffer.from('hello')));
    assert.equal(since(mark)[0].headers.host, 'ftc-test.oss-cn-hangzhou.aliyuncs.com');
    assert.equal((await readAll(await byIp.get('ip/x', { start: 1, end: 3 }))).toString(), 'ell');
    assert.equal(await byIp.signedUrl('ip/x', 60), null);
  });
});
