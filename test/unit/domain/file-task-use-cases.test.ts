import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileTask, type StoredFile } from '../../../domain/file-tasks/file-task';
import type { Grant } from '../../../domain/permissions/grant';
import type { Principal } from '../../../domain/shared/principal';
import { isDomainError } from '../../../domain/shared/errors';
import { fileTaskRef, getFileTask, listFileTasks } from '../../../domain/file-tasks/use-cases/read-file-task';
import { deleteFileTask } from '../../../domain/file-tasks/use-cases/delete-file-task';
import { recordUpload, uploadFile } from '../../../domain/files/use-cases/upload-file';
import { issueDownloadLink } from '../../../domain/files/use-cases/issue-download-link';
import { resolveDownloadTarget } from '../../../domain/files/use-cases/resolve-download-target';
import { recordDownload } from '../../../domain/files/use-cases/record-download';
import type { UploadSource } from '../../../domain/files/files.ports';
import { memoryFileTaskDeps } from '../../support/memory-file-tasks';

const code = (c: string) => (e: unknown) => isDomainError(e) && e.code === c;
const user = (id: string, roles: string[] = [], unitId: string | null = null): Principal => ({
  id,
  username: id,
  roles,
  unitId,
  kind: 'user',
});
const alice = user('alice', ['SALES'], 'store1');
const bob = user('bob', ['SALES'], 'west');
const carol = user('carol', ['FINANCE'], 'hq');
const admin = user('root', ['ADMIN']);
const actor = (p: Principal) => ({ userId: p.id, requestId: 'req-1' });
const grant = (g: Partial<Grant>): Grant => ({
  id: 'g1',
  bizType: 'invoice',
  type: 'ROLE',
  subject: 'FINANCE',
  actions: ['read'],
  columns: [],
  scopeUnitId: null,
  ...g,
});
const stored = (key = 'files/2026/11/t1'): StoredFile => ({
  storageKey: key,
  size: 3,
  sha256: 'a'.repeat(64),
  contentType: 'text/plain',
});

function aliceFile(id = 't1') {
  return FileTask.uploaded({
    id,
    bizType: 'invoice',
    bizDomain: null,
    name: 'a.txt',
    createdBy: alice.id,
    unitId: alice.unitId,
    unitPath: '/hq/east/store1/',
    file: stored(`files/2026/11/${id}`),
    now: new Date('2026-11-24T09:00:00Z'),
  });
}

function setup(grants: Grant[] = []) {
  const m = memoryFileTaskDeps(grants);
  m.deps.tasks.tasks.set('t1', aliceFile());
  return m;
}

describe('file task use cases: reading, listing, deleting', () => {
  it('answers its creator without fetching grants, and anyone who may not read it a 404 like a missing task', async () => {
    const { deps } = setup();
    assert.equal((await getFileTask(deps, alice, 't1')).id, 't1');
    assert.equal(deps.permissions.calls, 0, 'the owner needs no grants');
    await assert.rejects(getFileTask(deps, bob, 't1'), code('FILE_TASK_NOT_FOUND'));
    await assert.rejects(getFileTask(deps, bob, 'nope'), code('FILE_TASK_NOT_FOUND'));
    assert.equal((await getFileTask(deps, admin, 't1')).id, 't1');
  });

  it('lets a grant widen what a caller reads', async () => {
    const { deps } = setup([grant({})]);
    assert.equal((await getFileTask(deps, carol, 't1')).id, 't1');
    await assert.rejects(getFileTask(deps, bob, 't1'), code('FILE_TASK_NOT_FOUND'));
  });

  it('lists through the permission filter of the caller', async () => {
    const { deps } = setup([grant({})]);
    const page = await listFileTasks(deps, carol, { limit: '10' });
    assert.deepEqual(
      page.items.map((t) => t.id),
      ['t1'],
    );
    assert.deepEqual(deps.tasks.filters[0], {
      all: false,
      createdBy: 'carol',
      bizTypes: ['invoice'],
      scoped: [],
    });
    await listFileTasks(deps, admin, {});
    assert.deepEqual(deps.tasks.filters[1], { all: true });
    await assert.rejects(listFileTasks(deps, carol, { kind: 'NOPE' }), isDomainError);
  });

  it('deletes for the creator or an admin only: the record with FILE_DELETED, then the object', async () => {
    const m = setup([grant({})]);
    await assert.rejects(deleteFileTask(m.deps, carol, actor(carol), 't1'), code('DELETE_NOT_ALLOWED'));
    await assert.rejects(deleteFileTask(m.deps, bob, actor(bob), 't1'), code('FILE_TASK_NOT_FOUND'));
    await deleteFileTask(m.deps, alice, actor(alice), 't1');
    assert.equal(m.deps.tasks.tasks.size, 0);
    assert.deepEqual(m.deleted, ['files/2026/11/t1']);
    const [ev] = m.deps.tasks.events;
    assert.deepEqual(
      [ev.type, ev.targetId, ev.userId, ev.requestId, ev.detail],
      ['FILE_DELETED', 't1', 'alice', 'req-1', { name: 'a.txt', kind: 'FILE', size: 3 }],
    );
    assert.equal(m.hints(), 1);
  });

  it('keeps the delete when the object cannot go (orphan collection takes it), and 404s a task that changed', async () => {
    const m = setup();
    m.deps.storage.failDelete = true;
    await deleteFileTask(m.deps, admin, actor(admin), 't1');
    assert.equal(m.warnings.length, 1);
    m.deps.tasks.tasks.set('t2', aliceFile('t2'));
    m.deps.tasks.deleteMisses = true;
    await assert.rejects(deleteFileTask(m.deps, alice, actor(alice), 't2'), code('FILE_TASK_NOT_FOUND'));
  });

  it('tells the policy a task ref, or null', async () => {
    const { deps } = setup();
    assert.deepEqual(await fileTaskRef(deps, 't1'), {
      bizType: 'invoice',
      createdBy: 'alice',
      unitPath: '/hq/east/store1/',
    });
    assert.equal(await fileTaskRef(deps, 'nope'), null);
  });
});

describe('file use cases: uploads', () => {
  const source = (stores: string[]): UploadSource => ({
    rules: async (bizType) => ({ bizType: String(bizType), maxBytes: 100, contentTypes: [] }),
    store: async (key) => {
      stores.push(key);
      return stored(key);
    },
  });

  it('stores under a key of a new id, then records FILE_UPLOADED with the uploader unit path', async () => {
    const m = memoryFileTaskDeps();
    const stores: string[] = [];
    const view = await uploadFile(m.deps, alice, actor(alice), source(stores), {
      bizType: 'invoice',
      filename: 'Q3 report.txt',
    });
    assert.deepEqual(stores, ['files/2026/11/id001']);
    assert.equal(view.id, 'id001');
    const task = m.deps.tasks.tasks.get('id001')!;
    assert.deepEqual(
      [task.unitPath, task.name, task.createdBy],
      ['/hq/east/store1/', 'Q3 report.txt', 'alice'],
    );
    assert.deepEqual(
      m.deps.tasks.events.map((e) => [e.type, e.targetId, e.bizType]),
      [['FILE_UPLOADED', 'id001', 'invoice']],
    );
  });

  it('refuses bad fields before storing anything, and deletes the object when the record is refused', async () => {
    const m = memoryFileTaskDeps();
    const stores: string[] = [];
    await assert.rejects(
      uploadFile(m.deps, alice, actor(alice), source(stores), { bizType: 'invoice' }),
      code('FILE_NAME_REQUIRED'),
    );
    await assert.rejects(
      uploadFile(m.deps, alice, actor(alice), source(stores), {
        bizType: 'invoice',
        name: 'a',
        bizDomain: '!',
      }),
      code('INVALID_BIZ_DOMAIN'),
    );
    assert.deepEqual(stores, []);
    m.deps.tasks.failInsert = new Error('db down');
    await assert.rejects(
      uploadFile(m.deps, alice, actor(alice), source(stores), { bizType: 'invoice', name: 'a' }),
      /db down/,
    );
    assert.deepEqual(m.deleted, stores);
  });

  it('answers a retried record of the same bytes by the same user with the stored record', async () => {
    const m = setup();
    m.deps.tasks.failInsert = new Error('duplicate key');
    const input = { id: 't1', bizType: 'invoice', name: 'a.txt', file: stored() };
    assert.equal((await recordUpload(m.deps, alice, actor(alice), input)).id, 't1');
    await assert.rejects(recordUpload(m.deps, bob, actor(bob), input), /duplicate key/);
  });
});

describe('file use cases: download links', () => {
  const links = {
    issue: (p: { taskId: string; userId: string; baseUrl: string; now: Date }) => ({
      url: `${p.baseUrl}/api/files/${p.taskId}/content?token=for-${p.userId}`,
      linkId: 'link-1',
      expiresAt: new Date(p.now.getTime() + 300_000),
    }),
  };

  it('issues a link to a readable, downloadable stored file and logs DOWNLOAD_URL_ISSUED', async () => {
    const m = setup();
    const r = await issueDownloadLink({ ...m.deps, links }, alice, actor(alice), 't1', 'https://ftc');
    assert.deepEqual(r, {
      url: 'https://ftc/api/files/t1/content?token=for-alice',
      expiresAt: '2026-11-24T10:05:00.000Z',
    });
    const [ev] = m.deps.tasks.events;
    assert.deepEqual(
      [ev.type, ev.detail],
      ['DOWNLOAD_URL_ISSUED', { name: 'a.txt', linkId: 'link-1', expiresAt: '2026-11-24T10:05:00.000Z' }],
    );
  });

  it('answers 404 to who may not read, 403 to who may read but not download, 409 while there is no file', async () => {
    const m = setup([grant({})]);
    await assert.rejects(
      issueDownloadLink({ ...m.deps, links }, bob, actor(bob), 't1', 'x'),
      code('FILE_TASK_NOT_FOUND'),
    );
    await assert.rejects(
      issueDownloadLink({ ...m.deps, links }, carol, actor(carol), 't1', 'x'),
      code('DOWNLOAD_NOT_ALLOWED'),
    );
    m.deps.tasks.tasks.set(
      'e1',
      FileTask.exportRequested({
        id: 'e1',
        bizType: 'order_export',
        bizDomain: null,
        name: 'orders.csv',
        createdBy: 'alice',
        unitId: null,
        unitPath: null,
        format: 'csv',
        spec: {
          filters: {},
          columns: ['id'],
          rowScope: null,
          requester: { id: 'alice', roles: [], unitId: null },
        },
        idempotencyKey: null,
        requestHash: 'h',
        now: new Date(),
      }),
    );
    await assert.rejects(
      issueDownloadLink({ ...m.deps, links }, alice, actor(alice), 'e1', 'x'),
      code('FILE_NOT_AVAILABLE'),
    );
    assert.equal(m.deps.tasks.events.length, 0);
  });

  it("sends a link's file only while its user exists, is enabled and may still download it", async () => {
    const m = setup([grant({ actions: ['read', 'download'] })]);
    const people: Record<string, Principal & { disabled: boolean }> = {
      carol: { ...carol, disabled: false },
      dave: { ...user('dave'), disabled: true },
      bob: { ...bob, disabled: false },
    };
    const d = { ...m.deps, users: { current: async (id: string) => people[id] ?? null } };
    assert.deepEqual(await resolveDownloadTarget(d, 't1', 'carol'), {
      id: 't1',
      name: 'a.txt',
      bizType: 'invoice',
      ...stored(),
    });
    await assert.rejects(resolveDownloadTarget(d, 't1', 'dave'), code('DOWNLOAD_LINK_REVOKED'));
    await assert.rejects(resolveDownloadTarget(d, 't1', 'gone'), code('DOWNLOAD_LINK_REVOKED'));
    await assert.rejects(resolveDownloadTarget(d, 't1', 'bob'), code('DOWNLOAD_NOT_ALLOWED'));
    await assert.rejects(resolveDownloadTarget(d, 'nope', 'carol'), code('FILE_TASK_NOT_FOUND'));
  });

  it("logs FILE_DOWNLOADED under the link's user with the request id", async () => {
    const m = memoryFileTaskDeps();
    await recordDownload(m.deps, 'req-9', {
      id: 't1',
      bizType: 'invoice',
      userId: 'carol',
      linkId: 'l1',
      range: 'bytes=0-1',
    });
    const [ev] = m.deps.tasks.events;
    assert.deepEqual(
      [ev.type, ev.userId, ev.requestId, ev.targetId, ev.detail],
      ['FILE_DOWNLOADED', 'carol', 'req-9', 't1', { linkId: 'l1', range: 'bytes=0-1', redirect: false }],
    );
    assert.equal(m.hints(), 1);
  });
});
