import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, DEMO_UNITS } from '../../mixins/demo/demo-directory';
import { FileTask } from '../../domain/file-tasks/file-task';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';

/**
 * Every user x every task x (get, list, download-url, check read, check download) and every user x
 * export biz type x export columns, against an expectation
 * written here from API.md's rules, independently of domain/permissions/policy.ts.
 */
describe('file task access matrix (demo org: 3 levels, 5 roles, 6 users, 3 biz types)', () => {
  let node: TestNode;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const me: Record<string, { id: string; roles: string[]; unitId: string | null }> = {};
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);

  // API.md, read literally: unit X is "inside" unit S when S is X or one of X's ancestors.
  const parent = Object.fromEntries(DEMO_UNITS.map((u) => [u.id, u.parentId]));
  const inside = (x: string | null, s: string): boolean => {
    for (let u = x; u; u = parent[u] ?? null) if (u === s) return true;
    return false;
  };
  const GRANTS: {
    bizType: string;
    type: string;
    subject: string;
    actions: string[];
    columns?: string[];
    scopeUnitId?: string;
  }[] = [
    { bizType: 'invoice', type: 'ROLE', subject: 'FINANCE', actions: ['read', 'download'] },
    { bizType: 'contract', type: 'UNIT', subject: 'u-east', actions: ['read'], scopeUnitId: 'u-east' },
    { bizType: 'invoice', type: 'USER', subject: 'dave', actions: ['read'] },
    {
      bizType: 'contract',
      type: 'ROLE',
      subject: 'SALES',
      actions: ['read', 'download'],
      scopeUnitId: 'u-south',
    },
    {
      bizType: 'order_export',
      type: 'ROLE',
      subject: 'OPERATOR',
      actions: ['read', 'download'],
      scopeUnitId: 'u-east-sh',
    },
    { bizType: 'order_export', type: 'UNIT', subject: 'u-hq', actions: ['read'], scopeUnitId: 'u-south' },
    // Export grants: which users may export which biz type, revealing which restricted columns.
    { bizType: 'order_export', type: 'ROLE', subject: 'FINANCE', actions: ['export'], columns: ['amount'] },
    {
      bizType: 'order_export',
      type: 'UNIT',
      subject: 'u-east',
      actions: ['export'],
      columns: ['buyer_phone'],
    },
    { bizType: 'order_export', type: 'USER', subject: 'dave', actions: ['export'], columns: [] },
    {
      bizType: 'order_export_api',
      type: 'ROLE',
      subject: 'OPERATOR',
      actions: ['export'],
      columns: ['buyer_name', 'amount'],
    },
  ];
  const USERS = ['admin', 'alice', 'bob', 'carol', 'dave', 'erin'];
  const CREATORS = ['alice', 'bob', 'carol', 'dave', 'erin'];
  const BIZ = ['invoice', 'contract', 'order_export'];
  const expectAllowed = (user: string, creator: string, biz: string, action: 'read' | 'download') => {
    const u = me[user];
    if (user === creator || u.roles.includes('ADMIN')) return true;
    const taskUnit = me[creator].unitId;
    return GRANTS.some((g) => {
      const subjectId = g.type === 'USER' ? me[g.subject].id : g.subject;
      const applies =
        (g.type === 'ROLE' && u.roles.includes(g.subject)) ||
        (g.type === 'UNIT' && inside(u.unitId, g.subject)) ||
        (g.type === 'USER' && u.id === subjectId);
      const coversTask = g.bizType === biz && (!g.scopeUnitId || inside(taskUnit, g.scopeUnitId));
      return applies && coversTask && g.actions.includes(action);
    });
  };

  before(async () => {
    node = await startTestNode({
      SERVICES: 'api,directory,operationLogs,permissions,metadata,fileTasks,exports',
    });
    for (const u of USERS) {
      tokens[u] = await login(node.baseUrl, u, u === 'admin' ? 'admin' : DEMO_PASSWORD);
      me[u] = (await call('GET', '/api/auth/me', { token: tokens[u] })).body;
    }
    for (const g of GRANTS) {
      const body = { ...g, subject: g.type === 'USER' ? me[g.subject].id : g.subject };
      const r = await call('POST', '/api/permissions', { token: tokens.admin, body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    // Tasks as uploads would make them (the upload route comes with the files capability).
    const ds = await acquireMainDatabase(node.config.database);
    const paths = await node.broker.call<Record<string, string>, object>(
      'directory.unitPaths',
      {},
      asSystem(),
    );
    const repo = new FileTaskRepository(ds);
    let t = Date.parse('2026-06-01T00:00:00Z');
    for (const creator of CREATORS) {
      for (const biz of BIZ) {
        const id = `01J${String(++t).padStart(23, '0')}`;
        const unitId = me[creator].unitId;
        await repo.insert(
          FileTask.uploaded({
            id,
            bizType: biz,
            bizDomain: 'trade',
            name: `${creator}-${biz}.pdf`,
            createdBy: me[creator].id,
            unitId,
            unitPath: unitId ? paths[unitId] : null,
            file: { storageKey: `k/${id}`, size: 1, sha256: 'a'.repeat(64), contentType: 'application/pdf' },
            now: new Date(t),
          }),
          [],
        );
        ids[`${creator}/${biz}`] = id;
      }
    }
    await releaseMainDatabase(node.config.database);
  });
  after(() => node.stop());

  it('get answers 200 exactly when the rules allow reading, else 404', async () => {
    let unexpectedAllow = 0;
    let unexpectedDeny = 0;
    for (const user of USERS)
      for (const [key, id] of Object.entries(ids)) {
        const [creator, biz] = key.split('/') as [string, string];
        const r = await call('GET', `/api/file-tasks/${id}`, { token: tokens[user] });
        const allowed = expectAllowed(user, creator, biz, 'read');
        if (r.status === 200 && !allowed) unexpectedAllow++;
        if (r.status !== 200 && allowed) unexpectedDeny++;
        if (!allowed) assert.equal(r.status, 404, `${user} ${key}`);
      }
    assert.deepEqual({ unexpectedAllow, unexpectedDeny }, { unexpectedAllow: 0, unexpectedDeny: 0 });
  });

  it('list shows exactly the readable tasks, page by page, newest first', async () => {
    for (const user of USERS) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await call('GET', `/api/file-tasks?limit=4${cursor ? `&cursor=${cursor}` : ''}`, {
          token: tokens[user],
        });
        assert.equal(r.status, 200);
        assert.ok(r.body.items.length === 4 || r.body.nextCursor === null, 'pages are full');
        seen.push(...r.body.items.map((x: { id: string }) => x.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      const expected = Object.entries(ids)
        .filter(([key]) => {
          const [creator, biz] = key.split('/') as [string, string];
          return expectAllowed(user, creator, biz, 'read');
        })
        .map(([, id]) => id)
        .sort()
        .reverse();
      assert.deepEqual(seen, expected, user);
    }
  });

  it('download-url answers 200, 403 (readable, not downloadable) or 404 exactly as the rules say', async () => {
    let unexpectedAllow = 0;
    let unexpectedDeny = 0;
    for (const user of USERS)
      for (const [key, id] of Object.entries(ids)) {
        const [creator, biz] = key.split('/') as [string, string];
        const read = expectAllowed(user, creator, biz, 'read');
        const download = read && expectAllowed(user, creator, biz, 'download');
        const r = await call('GET', `/api/file-tasks/${id}/download-url`, { token: tokens[user] });
        if (r.status === 200 && !download) unexpectedAllow++;
        if (r.status !== 200 && download) unexpectedDeny++;
        assert.equal(r.status, download ? 200 : read ? 403 : 404, `${user} ${key}`);
        if (download) assert.match(r.body.url, new RegExp(`/api/files/${id}/content\\?token=`));
      }
    assert.deepEqual({ unexpectedAllow, unexpectedDeny }, { unexpectedAllow: 0, unexpectedDeny: 0 });
  });

  it('permissions.check agrees for read and download', async () => {
    for (const user of USERS)
      for (const [key, id] of Object.entries(ids)) {
        const [creator, biz] = key.split('/') as [string, string];
        for (const action of ['read', 'download'] as const) {
          const { isPassed } = await node.broker.call<{ isPassed: boolean }, Record<string, unknown>>(
            'permissions.check',
            {
              user: me[user],
              type: 'fileTask',
              id,
              action,
            },
            asSystem(),
          );
          const expected =
            expectAllowed(user, creator, biz, 'read') && expectAllowed(user, creator, biz, action);
          assert.equal(isPassed, expected, `${user} ${action} ${key}`);
        }
      }
  });

  it('filters lists by biz type and name, and rejects bad filters with 400', async () => {
    const r = await call('GET', '/api/file-tasks?bizType=invoice&q=alice', { token: tokens.admin });
    assert.deepEqual(
      r.body.items.map((x: { name: string }) => x.name),
      ['alice-invoice.pdf'],
    );
    for (const q of ['kind=NOPE', 'status=DONE', 'limit=0', 'from=never', 'cursor=zz']) {
      assert.equal((await call('GET', `/api/file-tasks?${q}`, { token: tokens.admin })).status, 400, q);
    }
  });

  it('a grant change takes effect at once', async () => {
    const id = ids['alice/invoice'];
    assert.equal((await call('GET', `/api/file-tasks/${id}`, { token: tokens.bob })).status, 404);
    const g = await call('POST', '/api/permissions', {
      token: tokens.admin,
      body: { bizType: 'invoice', type: 'USER', subject: me.bob.id, actions: ['read'] },
    });
    assert.equal((await call('GET', `/api/file-tasks/${id}`, { token: tokens.bob })).status, 200);
    await call('DELETE', `/api/permissions/${g.body.id}`, { token: tokens.admin });
    assert.equal((await call('GET', `/api/file-tasks/${id}`, { token: tokens.bob })).status, 404);
  });

  it('export columns: filterColumns and POST /api/exports agree with the rules for every user and export biz type', async () => {
    // API.md, independently of policy.ts: ADMIN gets every column; otherwise a user needs an export
    // grant that applies, and gets the unrestricted columns plus the union of those grants' columns.
    let unexpectedAllow = 0;
    let unexpectedDeny = 0;
    for (const biz of ['order_export', 'order_export_api']) {
      const def = (await call('GET', `/api/biz-types/${biz}`, { token: tokens.admin })).body;
      const all: { key: string; restricted?: boolean }[] = def.columns;
      for (const user of USERS) {
        const u = me[user];
        const applying = GRANTS.filter(
          (g) =>
            g.bizType === biz &&
            g.actions.includes('export') &&
            ((g.type === 'ROLE' && u.roles.includes(g.subject)) ||
              (g.type === 'UNIT' && inside(u.unitId, g.subject)) ||
              (g.type === 'USER' && u.id === me[g.subject].id)),
        );
        const isAdmin = u.roles.includes('ADMIN');
        const revealed = new Set(applying.flatMap((g) => g.columns ?? []));
        const expected =
          isAdmin || applying.length > 0
            ? all.filter((c) => isAdmin || !c.restricted || revealed.has(c.key)).map((c) => c.key)
            : null;
        const cols = await node.broker.call<string[], unknown>(
          'permissions.filterColumns',
          { user: u, bizType: biz },
          asSystem(),
        );
        const r = await call('POST', '/api/exports', {
          token: tokens[user],
          body: { bizType: biz, format: 'csv' },
        });
        if (expected === null) {
          if (r.status === 202) unexpectedAllow++;
          assert.deepEqual([r.status, r.body.error?.code], [403, 'EXPORT_NOT_ALLOWED'], `${user} ${biz}`);
          assert.deepEqual(cols, [], `${user} ${biz}`);
        } else {
          if (r.status !== 202) unexpectedDeny++;
          assert.equal(r.status, 202, `${user} ${biz}: ${JSON.stringify(r.body)}`);
          assert.deepEqual(r.body.export.columns, expected, `${user} ${biz}`);
          assert.deepEqual(cols, expected, `${user} ${biz}`);
          // Asking for a restricted column one may not see is refused, never silently dropped.
          const hidden = all.find((c) => !expected.includes(c.key));
          if (hidden) {
            const h = await call('POST', '/api/exports', {
              token: tokens[user],
              body: { bizType: biz, format: 'csv', columns: [hidden.key] },
            });
            assert.deepEqual([h.status, h.body.error?.code], [403, 'COLUMN_NOT_ALLOWED'], `${user} ${biz}`);
          }
        }
      }
    }
    assert.deepEqual({ unexpectedAllow, unexpectedDeny }, { unexpectedAllow: 0, unexpectedDeny: 0 });
  });

  it('lets only the creator or an admin delete, and hides the task from others', async () => {
    const id = ids['carol/order_export'];
    // erin may not even see carol's export: 404, as for a task that does not exist.
    assert.equal((await call('DELETE', `/api/file-tasks/${id}`, { token: tokens.erin })).status, 404);
    const alice = await call('DELETE', `/api/file-tasks/${ids['dave/order_export']}`, {
      token: tokens.alice,
    });
    assert.deepEqual([alice.status, alice.body.error.code], [403, 'DELETE_NOT_ALLOWED']);
    assert.equal((await call('DELETE', `/api/file-tasks/${id}`, { token: tokens.carol })).status, 204);
    assert.equal((await call('GET', `/api/file-tasks/${id}`, { token: tokens.admin })).status, 404);
  });
});
