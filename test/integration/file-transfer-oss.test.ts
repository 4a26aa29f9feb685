import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeOssServer } from '../support/fake-oss-server';
import { http as call, login, startTestNode, type TestNode } from '../support/embedded-node';
import { eventually } from '../support/cluster';
import { download, generatedBytes, uploadMultipart } from '../support/uploads';
import { OssStorage } from '../../mixins/storage/oss.storage';
import { DownloadLinks } from '../../mixins/files/download-link';
import { serveContent } from '../../mixins/files/content-route';
import { toMoleculerError } from '../../mixins/errors/error-mapper';
import { sendJsonError } from '../../mixins/http/http-errors';

// No real server needed: the real ali-oss client talks to a local fake that checks its signatures.
const CREDENTIALS = { bucket: 'ftc-files', accessKeyId: 'LTAI-files-id', accessKeySecret: 'files-secret' };
const MiB = 1024 * 1024;

/**
 * The gateway's upload and download routes on OSS: a large upload becomes a multipart upload, a
 * refused or abandoned one leaves no parts behind, and DOWNLOAD_REDIRECT=oss sends the client to a
 * signed OSS URL.
 */
describe('file upload and download on OSS (fake OSS server)', () => {
  let fake: FakeOssServer;
  let node: TestNode;
  let admin: string;

  before(async () => {
    fake = await FakeOssServer.start(CREDENTIALS);
    node = await startTestNode({
      SERVICES: 'api,directory,operationLogs,permissions,metadata,fileTasks',
      OSS_BUCKET: CREDENTIALS.bucket,
      OSS_REGION: 'oss-cn-hangzhou',
      OSS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      OSS_ACCESS_KEY_SECRET: CREDENTIALS.accessKeySecret,
      OSS_ENDPOINT: fake.ipEndpoint,
      OSS_SECURE: 'false',
      OSS_PREFIX: 'ftc',
    });
    admin = await login(node.baseUrl, 'admin', 'admin');
    const r = await call(node.baseUrl, 'PUT', '/api/biz-types/oss_any', {
      token: admin,
      body: { name: 'Anything', kind: 'FILE', rules: { maxSize: 30 * MiB } },
    });
    assert.ok(r.status < 300, JSON.stringify(r.body));
  });
  after(async () => {
    await node?.stop();
    await fake?.close();
  });

  it('streams a 20 MiB upload as an OSS multipart upload and back, byte-exact', async () => {
    const gen = generatedBytes(20 * MiB + 3, 5);
    const up = await uploadMultipart(
      node.baseUrl,
      admin,
      [
        ['bizType', 'oss_any'],
        ['name', 'big.bin'],
      ],
      {
        body: gen.stream,
      },
    );
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.file.sha256, gen.sha256());
    assert.ok(fake.ofType('UploadPart').length >= 3, 'sent in parts');
    assert.equal(fake.ofType('CompleteMultipartUpload').length, 1);
    const link = await call(node.baseUrl, 'GET', `/api/file-tasks/${up.body.id}/download-url`, {
      token: admin,
    });
    const got = await download(link.body.url);
    assert.deepEqual([got.status, got.size, got.sha256], [200, 20 * MiB + 3, up.body.file.sha256]);
    const part = await download(link.body.url, { range: 'bytes=10-19' });
    assert.deepEqual([part.status, part.size], [206, 10]);
  });

  it('leaves no object and no open multipart upload when refused or abandoned', async () => {
    const before = fake.objectKeys();
    const big = await uploadMultipart(
      node.baseUrl,
      admin,
      [
        ['bizType', 'oss_any'],
        ['name', 'x.bin'],
      ],
      {
        body: generatedBytes(30 * MiB + 1, 6).stream,
      },
    );
    assert.deepEqual([big.status, big.body.error.code], [413, 'FILE_TOO_LARGE']);
    const gone = await uploadMultipart(
      node.baseUrl,
      admin,
      [
        ['bizType', 'oss_any'],
        ['name', 'y.bin'],
      ],
      {
        body: generatedBytes(20 * MiB, 7).stream,
        abortAfter: 10 * MiB,
      },
    );
    assert.equal(gone.aborted, true);
    await eventually('multipart uploads aborted', 5000, async () =>
      fake.pendingUploads() === 0 ? true : null,
    );
    assert.deepEqual(fake.objectKeys(), before);
  });

  it('DOWNLOAD_REDIRECT=oss answers 302 to a signed OSS URL that serves the bytes', async () => {
    // ali-oss signs URLs only for a host name endpoint (cname), which configuration cannot set yet:
    // the route is driven directly with such an adapter.
    const storage = new OssStorage(
      {
        region: 'oss-cn-hangzhou',
        ...CREDENTIALS,
        endpoint: fake.endpoint,
        secure: false,
        prefix: 'redirect',
        multipartThreshold: 16 * MiB,
      },
      { cname: true },
    );
    await storage.put('files/2026/11/T1', generatedBytes(1000, 8).stream, { contentType: 'text/plain' });
    const links = new DownloadLinks('a-secret-of-sixteen-bytes-or-more');
    const recorded: unknown[] = [];
    const ctx = {
      call: (action: string, params: unknown) => {
        if (action === 'fileTasks.downloadTarget') {
          return Promise.resolve({
            id: 'T1',
            name: '合同.pdf',
            bizType: 'b',
            storageKey: 'files/2026/11/T1',
            size: 1000,
            sha256: 'f'.repeat(64),
            contentType: 'application/pdf',
          });
        }
        recorded.push([action, params]);
        return Promise.resolve(null);
      },
    } as unknown as Parameters<typeof serveContent>[0];
    const server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      serveContent(
        ctx,
        req,
        res,
        { taskId: 'T1', token: u.searchParams.get('token') },
        { storage, links, redirect: 'oss' },
      ).catch((e: unknown) => sendJsonError(req, res, toMoleculerError(e)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const token = links.mint({ taskId: 'T1', userId: 'u1', expiresAt: new Date(Date.now() + 60_000) });
      const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/?token=${token}`, {
        redirect: 'manual',
      });
      assert.equal(r.status, 302);
      const location = r.headers.get('location')!;
      assert.match(location, /Signature=/);
      assert.equal(r.headers.get('cache-control'), 'private, no-store');
      const bytes = await download(location);
      assert.deepEqual([bytes.status, bytes.size], [200, 1000]);
      assert.deepEqual(recorded, [
        [
          'fileTasks.recordDownload',
          {
            id: 'T1',
            bizType: 'b',
            userId: 'u1',
            linkId: (recorded[0] as [string, { linkId: string }])[1].linkId,
            range: null,
            redirect: true,
          },
        ],
      ]);
      const bad = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/?token=${token}x`, {
        redirect: 'manual',
      });
      assert.equal(bad.status, 403);
    } finally {
      server.close();
    }
  });
});
