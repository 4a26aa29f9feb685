import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { DownloadLinks } from '../../mixins/files/download-link';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { download, sha256Of, storedKeys, uploadMultipart } from '../support/uploads';
import { LocalDiskStorage } from '../../mixins/storage/local-disk.storage';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(4000)]);
const SECRET = crypto.randomBytes(32).toString('hex');

/**
 * Download links through the gateway on the embedded node: who may get one (API.md's rules), that
 * every tampered, expired or misdirected link is refused with 403, and that uploads, links and
 * downloads all reach the operation log.
 */
describe('file downloads: permissions, signed links, operation log', () => {
  let node: TestNode;
  const tokens: Record<string, string> = {};
  const me: Record<string, { id: string; username: string; roles: string[]; unitId: string | null }> = {};
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);
  const upload = async (user: string, name: string, body: Buffer = PDF) => {
    const r = await uploadMultipart(
      node.baseUrl,
      tokens[user],
      [
        ['bizType', 'invoice'],
        ['name', name],
      ],
      {
        filename: name,
        contentType: 'application/pdf',
        body,
      },
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.location, `/api/file-tasks/${r.body.id}`);
    return r.body as { id: string; createdBy: string };
  };
  const linkFor = async (user: string, id: string) => {
    const r = await call('GET', `/api/file-tasks/${id}/download-url`, { token: tokens[user] });
    assert.equal(r.status, 200, `${user}: ${JSON.stringify(r.body)}`);
    return r.body as { url: string; expiresAt: string };
  };
  /** Polls the operation log (the relay delivers asynchronously) for entries of one action on one task. */
  const logged = async (action: string, targetId: string, atLeast = 1) => {
    for (let i = 0; i < 100; i++) {
      const r = await call('GET', `/api/logs?action=${action}&targetId=${targetId}&limit=50`, {
        token: tokens.admin,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (r.body.items.length >= atLeast) return r.body.items as Record<string, unknown>[];
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.fail(`${action} for ${targetId} not logged`);
  };

  before(async () => {
    node = await startTestNode({
      SERVICES: 'api,directory,operationLogs,permissions,metadata,fileTasks',
      DOWNLOAD_LINK_SECRET: SECRET,
      // A slow poll: the entries must arrive because writers nudge the relay.
      LOG_RELAY_INTERVAL_MS: '60000',
    });
    for (const u of ['admin', 'alice', 'bob', 'carol', 'dave']) {
      tokens[u] = await login(node.baseUrl, u, u === 'admin' ? 'admin' : DEMO_PASSWORD);
      me[u] = (await call('GET', '/api/auth/me', { token: tokens[u] })).body;
    }
    const grants = [
      { bizType: 'invoice', type: 'ROLE', subject: 'SALES', actions: ['read'] }, // bob, dave: read only
      { bizType: 'invoice', type: 'USER', subject: me.dave.id, actions: ['read', 'download'] },
    ];
    for (const body of grants) {
      const r = await call('POST', '/api/permissions', { token: tokens.admin, body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });
  after(() => node.stop());
  const storageKeyOf = async (id: string) => {
    const ds = await acquireMainDatabase(node.config.database);
    try {
      return (await new FileTaskRepository(ds).find(id))!.file!.storageKey;
    } finally {
      await releaseMainDatabase(node.config.database);
    }
  };

  it('download-url: creator, ADMIN and a download grant get a link; read-only 403; no grant 404', async () => {
    const task = await upload('alice', 'rules.pdf');
    const expected: Record<string, [number, string | null]> = {
      alice: [200, null], // creator
      admin: [200, null], // ADMIN
      dave: [200, null], // USER grant with download
      bob: [403, 'DOWNLOAD_NOT_ALLOWED'], // ROLE grant with read only
      carol: [404, 'FILE_TASK_NOT_FOUND'], // no grant: the task is invisible
    };
    for (const [user, [status, code]] of Object.entries(expected)) {
      const r = await call('GET', `/api/file-tasks/${task.id}/download-url`, { token: tokens[user] });
      assert.deepEqual([r.status, r.body?.error?.code ?? null], [status, code], user);
      if (status === 200) {
        assert.match(r.body.url, new RegExp(`^${node.baseUrl}/api/files/${task.id}/content\\?token=`));
        const ttl = Date.parse(r.body.expiresAt) - Date.now();
        assert.ok(ttl > 290_000 && ttl <= 300_000, `default TTL is 5 minutes (${ttl} ms)`);
        const got = await download(r.body.url);
        assert.deepEqual([got.status, got.sha256], [200, sha256Of(PDF)], user);
        assert.equal(got.headers['x-content-type-options'], 'nosniff');
        assert.equal(got.headers['cache-control'], 'private, no-store');
      }
    }
    const missing = await call('GET', '/api/file-tasks/01NOSUCHTASK0000000000000/download-url', {
      token: tokens.admin,
    });
    assert.equal(missing.status, 404);
    assert.equal((await call('GET', `/api/file-tasks/${task.id}/download-url`)).status, 401);
  });

  it('checks a link at download time: a grant revoked or a user disabled since it was minted is 403', async () => {
    const task = await upload('alice', 'later.pdf');
    const grant = await call('POST', '/api/permissions', {
      token: tokens.admin,
      body: { bizType: 'invoice', type: 'ROLE', subject: 'OPERATOR', actions: ['read', 'download'] },
    });
    assert.equal(grant.status, 201, JSON.stringify(grant.body));
    const viaGrant = await linkFor('carol', task.id);
    assert.equal((await download(viaGrant.url)).status, 200);
    assert.equal(
      (await call('DELETE', `/api/permissions/${grant.body.id}`, { token: tokens.admin })).status,
      204,
    );
    const refused = await call('GET', new URL(viaGrant.url).pathname + new URL(viaGrant.url).search);
    assert.deepEqual([refused.status, refused.body.error.code], [403, 'DOWNLOAD_NOT_ALLOWED']);

    const own = await upload('carol', 'own.pdf');
    const ownLink = await linkFor('carol', own.id);
    const patch = (disabled: boolean) =>
      call('PATCH', `/api/users/${me.carol.id}`, { token: tokens.admin, body: { disabled } });
    assert.equal((await patch(true)).status, 200);
    const disabled = await call('GET', new URL(ownLink.url).pathname + new URL(ownLink.url).search);
    assert.deepEqual([disabled.status, disabled.body.error.code], [403, 'DOWNLOAD_LINK_REVOKED']);
    assert.equal((await patch(false)).status, 200);
    assert.equal((await download(ownLink.url)).status, 200);
    tokens.carol = await login(node.baseUrl, 'carol', DEMO_PASSWORD);
  });

  it('logs FILE_UPLOADED, DOWNLOAD_URL_ISSUED and FILE_DOWNLOADED with who and which link', async () => {
    const task = await upload('alice', 'logged.pdf');
    const link = await linkFor('dave', task.id);
    assert.equal((await download(link.url)).status, 200);
    assert.equal((await download(link.url, { range: 'bytes=0-9' })).status, 206);

    const [up] = await logged('FILE_UPLOADED', task.id);
    assert.deepEqual(
      [up.userId, up.targetType, up.bizType, up.outcome],
      [me.alice.id, 'FILE_TASK', 'invoice', 'SUCCESS'],
    );
    assert.equal((up.detail as { sha256: string }).sha256, sha256Of(PDF));
    const [issued] = await logged('DOWNLOAD_URL_ISSUED', task.id);
    assert.equal(issued.userId, me.dave.id);
    const downloads = await logged('FILE_DOWNLOADED', task.id, 2);
    assert.equal(downloads.length, 2);
    // Downloads carry no bearer token: the user is the one the link was issued to.
    for (const d of downloads) {
      assert.equal(d.userId, me.dave.id);
      assert.equal((d.detail as { linkId: string }).linkId, (issued.detail as { linkId: string }).linkId);
    }
    assert.deepEqual(
      downloads.map((d) => (d.detail as { range: string | null }).range).sort(),
      ['0-9', null].sort(),
    );
  });

  it('refuses tampered, expired and misdirected links with 403 and no bytes (and logs no download)', async () => {
    const task = await upload('alice', 'guarded.pdf');
    const other = await upload('alice', 'other.pdf');
    const { url } = await linkFor('alice', task.id);
    const otherLink = await linkFor('alice', other.id);
    const token = new URL(url).searchParams.get('token')!;
    const otherToken = new URL(otherLink.url).searchParams.get('token')!;
    const [payload, sig] = token.split('.');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const links = new DownloadLinks(SECRET);
    const mint = (p: { taskId?: string; expiresAt: Date }, l = links) =>
      l.mint({ taskId: p.taskId ?? task.id, userId: me.alice.id, expiresAt: p.expiresAt });
    const path = (id: string, query: string) => `/api/files/${id}/content${query}`;
    const q = (t: string) => `?token=${encodeURIComponent(t)}`;

    const cases: [string, string, string][] = [
      ['no token', path(task.id, ''), 'DOWNLOAD_LINK_INVALID'],
      ['empty token', path(task.id, '?token='), 'DOWNLOAD_LINK_INVALID'],
      ['token without a signature', path(task.id, q(payload)), 'DOWNLOAD_LINK_INVALID'],
      ['three segments', path(task.id, q(`${token}.x`)), 'DOWNLOAD_LINK_INVALID'],
      [
        'signature: first byte flipped',
        path(task.id, q(`${payload}.${flip(sig, 0)}`)),
        'DOWNLOAD_LINK_INVALID',
      ],
      [
        'signature: last char flipped',
        path(task.id, q(`${payload}.${flip(sig, sig.length - 1)}`)),
        'DOWNLOAD_LINK_INVALID',
      ],
      ['signature truncated', path(task.id, q(`${payload}.${sig.slice(0, -2)}`)), 'DOWNLOAD_LINK_INVALID'],
      ['signature extended', path(task.id, q(`${token}AA`)), 'DOWNLOAD_LINK_INVALID'],
      [
        'payload: first byte flipped',
        path(task.id, q(`${flip(payload, 0)}.${sig}`)),
        'DOWNLOAD_LINK_INVALID',
      ],
      [
        'payload: middle byte flipped',
        path(task.id, q(`${flip(payload, 40)}.${sig}`)),
        'DOWNLOAD_LINK_INVALID',
      ],
      [
        'payload of another link, this signature',
        path(task.id, q(`${otherToken.split('.')[0]}.${sig}`)),
        'DOWNLOAD_LINK_INVALID',
      ],
      ["another task's token", path(task.id, q(otherToken)), 'DOWNLOAD_LINK_INVALID'],
      ["this token on another task's URL", path(other.id, q(token)), 'DOWNLOAD_LINK_INVALID'],
      [
        'a token for a task that does not exist',
        path('01NOSUCHTASK0000000000000', q(token)),
        'DOWNLOAD_LINK_INVALID',
      ],
      [
        'expired a minute ago',
        path(task.id, q(mint({ expiresAt: new Date(Date.now() - 60_000) }))),
        'DOWNLOAD_LINK_EXPIRED',
      ],
      [
        'expiring this second',
        path(task.id, q(mint({ expiresAt: new Date(Math.floor(Date.now() / 1000) * 1000) }))),
        'DOWNLOAD_LINK_EXPIRED',
      ],
      [
        'signed with another secret',
        path(
          task.id,
          q(mint({ expiresAt: new Date(Date.now() + 60_000) }, new DownloadLinks(crypto.randomBytes(32)))),
        ),
        'DOWNLOAD_LINK_INVALID',
      ],
      ['the bearer JWT as a link token', path(task.id, q(tokens.alice)), 'DOWNLOAD_LINK_INVALID'],
      ['padding added', path(task.id, q(`${token}=`)), 'DOWNLOAD_LINK_INVALID'],
      ['upper-cased', path(task.id, q(token.toUpperCase())), 'DOWNLOAD_LINK_INVALID'],
      ['lower-cased', path(task.id, q(token.toLowerCase())), 'DOWNLOAD_LINK_INVALID'],
      ['non-base64 characters', path(task.id, q(`${payload}.${sig.slice(0, -1)}!`)), 'DOWNLOAD_LINK_INVALID'],
      ['a very long token', path(task.id, q('A'.repeat(5000))), 'DOWNLOAD_LINK_INVALID'],
      [
        'the token twice',
        path(task.id, `${q(token)}&token=${encodeURIComponent(token)}`),
        'DOWNLOAD_LINK_INVALID',
      ],
      [
        'a NUL inside',
        path(task.id, `?token=${encodeURIComponent(payload)}%00.${sig}`),
        'DOWNLOAD_LINK_INVALID',
      ],
      ['a task id too long for any task', path('x'.repeat(65), q(token)), 'DOWNLOAD_LINK_INVALID'],
      ['the token in a header instead', path(task.id, '?tok=1'), 'DOWNLOAD_LINK_INVALID'],
    ];
    assert.ok(cases.length >= 20);
    for (const [what, target, code] of cases) {
      const r = await call('GET', target, {
        headers: { authorization: `Bearer ${tokens.alice}`, 'x-token': token },
      });
      assert.equal(r.status, 403, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.deepEqual(Object.keys(r.body), ['error'], what);
      assert.equal(r.body.error.code, code, what);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/, what);
    }
    // The genuine link still works, and none of the refusals counted as a download.
    assert.equal((await download(url)).status, 200);
    assert.equal((await logged('FILE_DOWNLOADED', task.id)).length, 1);

    // A link to a task deleted after it was issued: the task is gone, 404 like any missing task.
    assert.equal((await call('DELETE', `/api/file-tasks/${other.id}`, { token: tokens.alice })).status, 204);
    const gone = await call('GET', new URL(otherLink.url).pathname + new URL(otherLink.url).search);
    assert.deepEqual([gone.status, gone.body.error.code], [404, 'FILE_TASK_NOT_FOUND']);
  });

  it('fileTasks.upload stores a stream from a business service under the same rules', async () => {
    const meta = (m: Record<string, unknown>) => ({ meta: { user: me.carol, ...m } });
    const view = await node.broker.call<{ id: string; name: string; file: { sha256: string } }, Readable>(
      'fileTasks.upload',
      Readable.from([PDF.subarray(0, 1000), PDF.subarray(1000)]),
      meta({
        bizType: 'invoice',
        name: 'from-a-service.pdf',
        contentType: 'application/pdf',
        bizDomain: 'trade',
      }),
    );
    assert.deepEqual([view.name, view.file.sha256], ['from-a-service.pdf', sha256Of(PDF)]);
    const link = await linkFor('carol', view.id);
    assert.equal((await download(link.url)).sha256, sha256Of(PDF));
    await assert.rejects(
      node.broker.call(
        'fileTasks.upload',
        Readable.from([Buffer.from('plain text')]),
        meta({ bizType: 'invoice', name: 'x.pdf', contentType: 'application/pdf' }),
      ),
      (e: { code: number; type: string }) => e.code === 415 && e.type === 'UNSUPPORTED_CONTENT_TYPE',
    );
    // The record write is idempotent: a retried call gets the same task, not a duplicate-key error.
    const { id, file } = await node.broker.call<
      { id: string; file: Record<string, unknown> },
      { id: string }
    >('fileTasks.get', { id: view.id }, meta({}));
    const again = await node.broker.call<{ id: string; name: string }, Record<string, unknown>>(
      'fileTasks.recordUpload',
      { id, bizType: 'invoice', name: 'again.pdf', file: { ...file, storageKey: await storageKeyOf(id) } },
      meta({}),
    );
    assert.deepEqual([again.id, again.name], [id, 'from-a-service.pdf']);
    await assert.rejects(
      node.broker.call('fileTasks.upload', Readable.from([PDF]), meta({ bizType: 'nope', name: 'x.pdf' })),
      (e: { code: number; type: string }) => e.code === 400 && e.type === 'UNKNOWN_BIZ_TYPE',
    );
  });
});

describe('uploads whose record cannot be written', () => {
  let node: TestNode;
  before(async () => {
    // No fileTasks service anywhere: the gateway stores the bytes, then the record write fails.
    node = await startTestNode({ SERVICES: 'api,directory,metadata' });
  });
  after(() => node.stop());

  it('removes the stored bytes and answers 503', async () => {
    const admin = await login(node.baseUrl, 'admin', 'admin');
    const r = await uploadMultipart(
      node.baseUrl,
      admin,
      [
        ['bizType', 'invoice'],
        ['name', 'a.pdf'],
      ],
      {
        filename: 'a.pdf',
        contentType: 'application/pdf',
        body: PDF,
      },
    );
    assert.deepEqual([r.status, r.body.error.code], [503, 'SERVICE_UNAVAILABLE']);
    const storage = new LocalDiskStorage(path.join(node.dataDir, 'objects'));
    assert.deepEqual(await storedKeys(storage), []);
    assert.deepEqual(fs.readdirSync(path.join(node.dataDir, 'objects', '.tmp')), []);
  });
});
