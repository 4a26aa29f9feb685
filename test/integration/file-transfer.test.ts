import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';
import { eventually, freePort, startNodeProcess, stopNode, type NodeProcess } from '../support/cluster';
import { http, login } from '../support/embedded-node';
import { download, generatedBytes, sha256Of, storedKeys, uploadMultipart } from '../support/uploads';
import { LocalDiskStorage } from '../../mixins/storage/local-disk.storage';
import { DEMO_BIZ_TYPES } from '../../mixins/demo/demo-biz-types';

const MiB = 1024 * 1024;
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(2000)]);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  crypto.randomBytes(500),
]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), crypto.randomBytes(500)]);

/** Resident memory of a process, in bytes (Linux). */
const rssOf = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};

/**
 * Uploads and downloads through the real HTTP routes of a node running as its own process, on
 * MariaDB and the local disk: byte-exact round trips up to 200 MiB (with the gateway's memory
 * watched), and every refused upload leaving neither a record nor an object behind.
 */
describe('file upload and download on MySQL + local disk (node in a child process)', async () => {
  const s = await servers('mysql');
  if (s.skip) {
    it('needs MySQL', { skip: s.skip }, () => {});
    return;
  }
  let node: NodeProcess;
  let base: string;
  let admin: string;
  let drop: () => Promise<void> = async () => {};
  let db: mysql.Connection;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-files-'));
  const storage = new LocalDiskStorage(path.join(dataDir, 'objects'));
  const auth = () => admin;

  const state = async () => {
    const [rows] = await db.query<mysql.RowDataPacket[]>(
      'SELECT storage_key FROM file_tasks ORDER BY storage_key',
    );
    const tmp = fs.readdirSync(path.join(dataDir, 'objects', '.tmp'));
    return {
      records: rows.map((r) => r.storage_key as string),
      objects: (await storedKeys(storage)).sort(),
      tmp,
    };
  };
  /** No record and no object (nor temp file) beyond what was there before the refused upload. */
  const assertNothingLeft = async (before: Awaited<ReturnType<typeof state>>, what: string) => {
    await eventually(`${what}: nothing left behind`, 5000, async () => {
      const now = await state();
      return now.records.length === before.records.length &&
        now.objects.length === before.objects.length &&
        now.tmp.length === 0
        ? true
        : null;
    }).catch(async (e: unknown) => {
      assert.fail(`${what}: ${JSON.stringify(await state())} vs ${JSON.stringify(before)} (${String(e)})`);
    });
    const now = await state();
    assert.deepEqual(now.objects, now.records, `${what}: every object has its record`);
  };

  before(async () => {
    const temp = await tempMysqlDatabase(s.url.mysql, 'ftc_files');
    drop = temp.drop;
    db = await mysql.createConnection(temp.url);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    node = startNodeProcess('files', {
      SERVICES: 'api,directory,operationLogs,permissions,metadata,fileTasks',
      DATABASE_URL: temp.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_PASSWORD: 'files-admin-pass',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      UPLOAD_MAX_BYTES: String(256 * MiB),
    });
    admin = await eventually(
      'the node to sign in',
      60_000,
      async () => login(base, 'admin', 'files-admin-pass'),
      [node],
    );
    const types: [string, Record<string, unknown>][] = [
      ['ft_any', { name: 'Any file', kind: 'FILE', rules: {} }],
      [
        'ft_small',
        {
          name: 'Small PDFs and PNGs',
          kind: 'FILE',
          rules: { maxSize: 64 * 1024, contentTypes: ['application/pdf', 'image/png'], retentionDays: 30 },
        },
      ],
      ['ft_export', DEMO_BIZ_TYPES.find((b) => b.code === 'order_export')!.definition],
    ];
    for (const [code, body] of types) {
      const r = await http(base, 'PUT', `/api/biz-types/${code}`, { token: admin, body });
      assert.ok(r.status === 200 || r.status === 201, `${code}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    await storage.start();
  });

  after(async () => {
    if (node) await stopNode(node);
    await db?.end();
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const roundTrip = async (size: number, seed: number) => {
    const gen = generatedBytes(size, seed);
    const up = await uploadMultipart(
      base,
      auth(),
      [
        ['bizType', 'ft_any'],
        ['name', `file-${size}.bin`],
      ],
      {
        filename: 'ignored.bin',
        body: gen.stream,
      },
    );
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const sha = gen.sha256();
    assert.deepEqual([up.body.file.size, up.body.file.sha256, up.body.status], [size, sha, 'SUCCESS']);
    const link = await http(base, 'GET', `/api/file-tasks/${up.body.id}/download-url`, { token: auth() });
    assert.equal(link.status, 200, JSON.stringify(link.body));
    const got = await download(link.body.url);
    assert.equal(got.status, 200);
    assert.deepEqual([got.size, got.sha256], [size, sha], `${size} bytes come back byte-exact`);
    assert.equal(got.headers['content-length'], String(size));
    assert.equal(got.headers.etag, `"${sha}"`);
    assert.match(
      String(got.headers['content-disposition']),
      new RegExp(`filename\\*=UTF-8''file-${size}\\.bin`),
    );
    return { id: up.body.id as string, url: link.body.url as string, sha };
  };

  it('round-trips 0 B, 1 B and 5 MiB + 1 B byte-exact, with ranges', async () => {
    await roundTrip(0, 1);
    await roundTrip(1, 2);
    const { url } = await roundTrip(5 * MiB + 1, 3);
    // The last byte alone, and a middle slice, compared with the same bytes generated again.
    const full = generatedBytes(5 * MiB + 1, 3);
    const bytes: Buffer[] = [];
    for await (const c of full.stream) bytes.push(c as Buffer);
    const all = Buffer.concat(bytes);
    const last = await download(url, { range: 'bytes=-1' });
    assert.deepEqual(
      [last.status, last.headers['content-range'], last.sha256],
      [206, `bytes ${5 * MiB}-${5 * MiB}/${5 * MiB + 1}`, sha256Of(all.subarray(-1))],
    );
    const mid = await download(url, { range: 'bytes=1000000-2999999' });
    assert.deepEqual(
      [mid.status, mid.size, mid.sha256],
      [206, 2_000_000, sha256Of(all.subarray(1_000_000, 3_000_000))],
    );
    const beyond = await download(url, { range: `bytes=${5 * MiB + 1}-` });
    assert.deepEqual([beyond.status, beyond.headers['content-range']], [416, `bytes */${5 * MiB + 1}`]);
    const stale = await download(url, { range: 'bytes=0-9', 'if-range': '"not-the-etag"' });
    assert.deepEqual([stale.status, stale.size], [200, 5 * MiB + 1], 'a stale If-Range gets the whole file');
  });

  it('streams 200 MiB through the gateway with its resident memory growing by less than 100 MB', async () => {
    const pid = node.child.pid!;
    // Warm up the route and let start-up garbage settle before taking the baseline.
    await roundTrip(1 * MiB, 9);
    await new Promise((r) => setTimeout(r, 300));
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
    const started = Date.now();
    let uploadMs = 0;
    try {
      const size = 200 * MiB;
      const gen = generatedBytes(size, 42);
      const up = await uploadMultipart(
        base,
        auth(),
        [
          ['bizType', 'ft_any'],
          ['name', 'big.bin'],
        ],
        { body: gen.stream },
      );
      uploadMs = Date.now() - started;
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const sha = gen.sha256();
      assert.deepEqual([up.body.file.size, up.body.file.sha256], [size, sha]);
      const link = await http(base, 'GET', `/api/file-tasks/${up.body.id}/download-url`, { token: auth() });
      const got = await download(link.body.url);
      assert.deepEqual([got.status, got.size, got.sha256], [200, size, sha]);
      const tail = await download(link.body.url, { range: `bytes=${size - 4096}-` });
      assert.deepEqual([tail.status, tail.size], [206, 4096]);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    console.log(
      `200 MiB: upload ${uploadMs} ms, upload+download ${Date.now() - started} ms; gateway RSS ${(baseline / MiB).toFixed(0)} MiB -> peak ${(peak / MiB).toFixed(0)} MiB (+${(growth / MiB).toFixed(1)} MiB)`,
    );
    assert.ok(growth < 100 * 1000 * 1000, `RSS grew by ${growth} bytes`);
  });

  describe('refused uploads leave nothing behind', () => {
    const refused = async (
      what: string,
      expect: [number, string],
      fields: [string, string][],
      file?: Parameters<typeof uploadMultipart>[3],
      opts?: Parameters<typeof uploadMultipart>[4],
    ) => {
      const before = await state();
      const r = await uploadMultipart(base, auth(), fields, file, opts);
      assert.deepEqual([r.status, r.body?.error?.code], expect, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(typeof r.body.error.message, 'string');
      await assertNothingLeft(before, what);
    };

    it('413 over the biz type limit and over the global limit', async () => {
      await refused('64 KiB + 1 of PDF', [413, 'FILE_TOO_LARGE'], [['bizType', 'ft_small']], {
        filename: 'a.pdf',
        contentType: 'application/pdf',
        body: Buffer.concat([PDF, Buffer.alloc(64 * 1024 + 1 - PDF.length, 0x20)]),
      });
      // Exactly at the limit is fine.
      const ok = await uploadMultipart(base, auth(), [['bizType', 'ft_small']], {
        filename: 'a.pdf',
        contentType: 'application/pdf',
        body: Buffer.concat([PDF, Buffer.alloc(64 * 1024 - PDF.length, 0x20)]),
      });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      // Over the global limit (256 MiB here), streamed without a length: refused when the count passes it.
      await refused('257 MiB streamed', [413, 'FILE_TOO_LARGE'], [['bizType', 'ft_any']], {
        filename: 'huge.bin',
        body: generatedBytes(257 * MiB, 5).stream,
      });
      // Declared over the global limit: refused before the body is read.
      await refused(
        'declared 1 TiB',
        [413, 'FILE_TOO_LARGE'],
        [['bizType', 'ft_any']],
        { filename: 'x', body: 'x' },
        {
          contentLength: 1024 ** 4,
        },
      );
    });

    it('415 when the bytes are not an allowed type, whatever the declared type', async () => {
      await refused(
        'executable declared as PDF',
        [415, 'UNSUPPORTED_CONTENT_TYPE'],
        [['bizType', 'ft_small']],
        {
          filename: 'invoice.pdf',
          contentType: 'application/pdf',
          body: EXE,
        },
      );
      await refused('text declared as PNG', [415, 'UNSUPPORTED_CONTENT_TYPE'], [['bizType', 'ft_small']], {
        filename: 'pic.png',
        contentType: 'image/png',
        body: 'just some text, not an image',
      });
      await refused(
        'a real PNG declared as PDF',
        [415, 'UNSUPPORTED_CONTENT_TYPE'],
        [['bizType', 'ft_small']],
        {
          filename: 'pic.pdf',
          contentType: 'application/pdf',
          body: PNG,
        },
      );
      await refused(
        'allowed type by declaration only',
        [415, 'UNSUPPORTED_CONTENT_TYPE'],
        [['bizType', 'ft_small']],
        {
          filename: 'notes.txt',
          contentType: 'text/plain',
          body: 'a text file is not in the allowed list',
        },
      );
      await refused(
        'an executable on a biz type that takes anything',
        [415, 'UNSUPPORTED_CONTENT_TYPE'],
        [['bizType', 'ft_any']],
        {
          filename: 'setup.exe',
          body: EXE,
        },
      );
      const png = await uploadMultipart(base, auth(), [['bizType', 'ft_small']], {
        filename: 'p.png',
        contentType: 'image/png',
        body: PNG,
      });
      assert.deepEqual([png.status, png.body.file.contentType], [201, 'image/png']);
    });

    it('400 for missing or wrong fields', async () => {
      const file = { filename: 'a.pdf', contentType: 'application/pdf', body: PDF };
      await refused('no file part', [400, 'FILE_REQUIRED'], [['bizType', 'ft_small']]);
      await refused('file in another part', [400, 'FILE_REQUIRED'], [['bizType', 'ft_small']], file, {
        partName: 'document',
      });
      await refused('no bizType', [400, 'BIZ_TYPE_REQUIRED'], [['name', 'a.pdf']], file);
      await refused('bizType after the file', [400, 'BIZ_TYPE_REQUIRED'], [], file);
      await refused('unknown bizType', [400, 'UNKNOWN_BIZ_TYPE'], [['bizType', 'no_such_type']], file);
      await refused('malformed bizType', [400, 'UNKNOWN_BIZ_TYPE'], [['bizType', '../../etc']], file);
      await refused('export bizType', [400, 'BIZ_TYPE_NOT_UPLOADABLE'], [['bizType', 'ft_export']], file);
      await refused('no name at all', [400, 'FILE_NAME_REQUIRED'], [['bizType', 'ft_small']], {
        ...file,
        filename: undefined,
      });
      await refused(
        'a name of dots',
        [400, 'INVALID_FILE_NAME'],
        [
          ['bizType', 'ft_small'],
          ['name', '../..'],
        ],
        file,
      );
      await refused(
        'bad bizDomain',
        [400, 'INVALID_BIZ_DOMAIN'],
        [
          ['bizType', 'ft_small'],
          ['bizDomain', 'a b/c'],
        ],
        file,
      );
      const extra = await uploadMultipart(
        base,
        auth(),
        [
          ['bizType', 'ft_small'],
          ['comment', 'ignored'],
        ],
        file,
      );
      assert.equal(extra.status, 201, 'a form field of its own is ignored');
      const before = await state();
      const notMultipart = await http(base, 'POST', '/api/files', {
        token: auth(),
        body: { bizType: 'ft_small' },
      });
      assert.deepEqual([notMultipart.status, notMultipart.body.error.code], [400, 'MULTIPART_REQUIRED']);
      const anonymous = await uploadMultipart(base, null, [['bizType', 'ft_small']], file);
      assert.deepEqual([anonymous.status, anonymous.body.error.code], [401, 'NO_TOKEN']);
      await assertNothingLeft(before, 'not multipart / anonymous');
    });

    it('cleans names: no traversal, no control characters, keys never derived from names', async () => {
      const names: [string, string][] = [
        ['../../../etc/passwd', 'passwd'],
        ['..\\..\\windows\\system32\\evil.pdf', 'evil.pdf'],
        ['in\u0000voice\r\nX-Injected: 1.pdf', 'invoiceX-Injected_ 1.pdf'],
        ['report\u202Efdp.exe', 'reportfdp.exe'],
        ['/abs/path/合同 2026.pdf', '合同 2026.pdf'],
      ];
      for (const [raw, clean] of names) {
        const r = await uploadMultipart(
          base,
          auth(),
          [
            ['bizType', 'ft_small'],
            ['name', raw],
          ],
          {
            filename: 'x.pdf',
            contentType: 'application/pdf',
            body: PDF,
          },
        );
        assert.equal(r.status, 201, `${JSON.stringify(raw)}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.name, clean, JSON.stringify(raw));
        const [rows] = await db.query<mysql.RowDataPacket[]>(
          'SELECT storage_key FROM file_tasks WHERE id = ?',
          [r.body.id],
        );
        assert.match(rows[0].storage_key, new RegExp(`^files/\\d{4}/\\d{2}/${r.body.id}$`));
        const link = await http(base, 'GET', `/api/file-tasks/${r.body.id}/download-url`, { token: auth() });
        const got = await download(link.body.url);
        assert.equal(got.sha256, sha256Of(PDF));
        assert.doesNotMatch(String(got.headers['content-disposition']), /[\r\n]/);
      }
      // The file part's own name (no name field) goes through the same cleaning.
      const r = await uploadMultipart(base, auth(), [['bizType', 'ft_small']], {
        filename: '../../secret.pdf',
        contentType: 'application/pdf',
        body: PDF,
      });
      assert.deepEqual([r.status, r.body.name], [201, 'secret.pdf']);
      // Nothing was written outside the storage root's data tree.
      const files = fs.readdirSync(dataDir);
      assert.ok(!files.includes('passwd') && !fs.existsSync(path.join(dataDir, '..', 'passwd')));
    });

    it('a client that disconnects mid-upload leaves no record and no object', async () => {
      for (const abortAfter of [100, 3 * MiB]) {
        const before = await state();
        const r = await uploadMultipart(
          base,
          auth(),
          [
            ['bizType', 'ft_any'],
            ['name', 'gone.bin'],
          ],
          {
            body: generatedBytes(20 * MiB, 7).stream,
            abortAfter,
          },
        );
        assert.equal(r.aborted, true, JSON.stringify(r));
        await assertNothingLeft(before, `disconnect after ${abortAfter} bytes`);
      }
      // The node is fine afterwards.
      await roundTrip(10, 11);
    });
  });
});
