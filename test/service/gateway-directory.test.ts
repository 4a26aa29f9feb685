import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import jwt from 'jsonwebtoken';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';

describe('gateway + directory on an in-process broker', () => {
  let node: TestNode;
  let admin: string;
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);

  before(async () => {
    node = await startTestNode({ SERVICES: 'api,directory' });
    admin = await login(node.baseUrl, 'admin', 'admin');
  });
  after(() => node.stop());

  it('serves health without a token and lists the running services', async () => {
    const r = await call('GET', '/api/health');
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.services.map((s: { name: string }) => s.name),
      ['api', 'directory'],
    );
    assert.equal(r.body.nodes.length, 1);
  });

  it('answers 401 without a token, with a bad token, an expired token and a foreign-signed token', async () => {
    const forged = jwt.sign({ roles: ['ADMIN'], unit: null }, 'another-secret-of-at-least-32-chars!!', {
      algorithm: 'HS256',
      subject: 'x',
      issuer: 'file-task-center',
    });
    const secret = fs.readFileSync(`${node.dataDir}/jwt-secret`, 'utf8');
    const expired = jwt.sign(
      { roles: ['ADMIN'], unit: null, exp: Math.floor(Date.now() / 1000) - 10 },
      secret,
      {
        algorithm: 'HS256',
        subject: 'x',
        issuer: 'file-task-center',
      },
    );
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","roles":["ADMIN"]}').toString('base64url')}.`;
    const cases: [string | undefined, string][] = [
      [undefined, 'NO_TOKEN'],
      ['garbage', 'INVALID_TOKEN'],
      [forged, 'INVALID_TOKEN'],
      [expired, 'TOKEN_EXPIRED'],
      [none, 'INVALID_TOKEN'],
    ];
    for (const [token, code] of cases) {
      const r = await call('GET', '/api/auth/me', { token });
      assert.equal(r.status, 401, code);
      assert.equal(r.body.error.code, code);
    }
    const basic = await call('GET', '/api/users', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    assert.equal(basic.status, 401);
  });

  it('signs in and tells the caller who they are', async () => {
    const r = await call('POST', '/api/auth/login', { body: { username: 'admin', password: 'admin' } });
    assert.equal(r.status, 200);
    assert.ok(Date.parse(r.body.expiresAt) > Date.now());
    const claims = jwt.decode(r.body.token) as jwt.JwtPayload;
    assert.deepEqual([claims.sub, claims.roles, claims.unit], [r.body.user.id, ['ADMIN'], null]);
    const me = await call('GET', '/api/auth/me', { token: r.body.token });
    assert.deepEqual(me.body, { id: r.body.user.id, username: 'admin', roles: ['ADMIN'], unitId: null });
  });

  it("tells a service account's token who it is, in the user answer's shape (not 404 USER_NOT_FOUND)", async () => {
    const created = await call('POST', '/api/service-accounts', {
      token: admin,
      body: { name: 'billing-me', roles: ['ADMIN'], unitId: null },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('location'), `/api/service-accounts/${created.body.id}`);
    const me = await call('GET', '/api/auth/me', { token: created.body.token });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.deepEqual(me.body, {
      id: created.body.id,
      username: 'service:billing-me',
      roles: ['ADMIN'],
      unitId: null,
      kind: 'service',
    });
    // A user's answer stays as it was.
    assert.equal((await call('GET', '/api/auth/me', { token: admin })).body.kind, undefined);
    await call('DELETE', `/api/service-accounts/${created.body.id}`, { token: admin });
  });

  it('rejects wrong credentials with 401 and malformed logins with 400', async () => {
    assert.equal(
      (await call('POST', '/api/auth/login', { body: { username: 'admin', password: 'nope' } })).status,
      401,
    );
    assert.equal((await call('POST', '/api/auth/login', { body: { username: 'admin' } })).status, 400);
    assert.equal(
      (await call('POST', '/api/auth/login', { body: { username: ['a'], password: 'x' } })).status,
      400,
    );
    const badJson = await call('POST', '/api/auth/login', { raw: '{"username":' });
    assert.deepEqual([badJson.status, badJson.body.error.code], [400, 'INVALID_JSON']);
  });

  it('limits the JSON body size', async () => {
    const r = await call('POST', '/api/auth/login', {
      raw: JSON.stringify({ username: 'a', password: 'x'.repeat(2_000_000) }),
    });
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('publishes only the contract: internal and unlisted actions are 404', async () => {
    for (const url of [
      '/api/$node/list',
      '/api/$node/services',
      '/api/directory/login',
      '/api/directory/resolveUser?id=x',
      '/api/nope',
    ]) {
      const r = await call('GET', url, { token: admin });
      assert.equal(r.status, 404, url);
      assert.equal(r.body.error.code, 'NOT_FOUND');
    }
  });

  it('echoes a plain X-Request-ID and generates one otherwise', async () => {
    const mine = await call('GET', '/api/health', { headers: { 'x-request-id': 'req-123' } });
    assert.equal(mine.headers.get('x-request-id'), 'req-123');
    const bad = await call('GET', '/api/health', { headers: { 'x-request-id': 'bad id<script>' } });
    assert.match(bad.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('lets an admin manage units, roles and users, and forbids everyone else', async () => {
    const unit = await call('POST', '/api/units', {
      token: admin,
      body: { name: 'North Region', parentId: 'u-hq' },
    });
    assert.equal(unit.status, 200);
    const role = await call('POST', '/api/roles', {
      token: admin,
      body: { code: 'WAREHOUSE', name: 'Warehouse' },
    });
    assert.equal(role.status, 200);
    assert.equal(
      (await call('POST', '/api/roles', { token: admin, body: { code: 'WAREHOUSE', name: 'x' } })).status,
      409,
    );
    const user = await call('POST', '/api/users', {
      token: admin,
      body: {
        username: 'nora',
        password: 'nora-password',
        displayName: 'Nora',
        roles: ['WAREHOUSE'],
        unitId: unit.body.id,
      },
    });
    assert.equal(user.status, 200, JSON.stringify(user.body));
    assert.equal(user.body.passwordHash, undefined);
    const nora = await login(node.baseUrl, 'nora', 'nora-password');
    for (const [method, url, body] of [
      ['POST', '/api/units', { name: 'x' }],
      ['POST', '/api/roles', { code: 'X_Y', name: 'x' }],
      ['GET', '/api/users', undefined],
      ['POST', '/api/users', { username: 'zed', password: 'zed-password' }],
      ['PATCH', `/api/users/${user.body.id}`, { roles: ['ADMIN'] }],
    ] as const) {
      const r = await call(method, url, { token: nora, body });
      assert.equal(r.status, 403, `${method} ${url}`);
      assert.equal(r.body.error.code, 'ADMIN_REQUIRED');
    }
    // Reads any signed-in user may do.
    assert.equal((await call('GET', '/api/units/tree', { token: nora })).status, 200);
    assert.equal((await call('GET', '/api/roles', { token: nora })).status, 200);
    const patched = await call('PATCH', `/api/users/${user.body.id}`, {
      token: admin,
      body: { disabled: true },
    });
    assert.equal(patched.body.disabled, true);
    assert.equal(
      (await call('POST', '/api/auth/login', { body: { username: 'nora', password: 'nora-password' } }))
        .status,
      401,
    );
  });

  it('validates writes with 400 and a stable code', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/units', { name: '' }, 'VALIDATION_ERROR'],
      ['POST', '/api/units', { name: 'x', parentId: 'missing' }, 'UNKNOWN_UNIT'],
      ['POST', '/api/roles', { code: 'lower', name: 'x' }, 'VALIDATION_ERROR'],
      ['POST', '/api/users', { username: 'ok-name', password: 'short' }, 'WEAK_PASSWORD'],
      [
        'POST',
        '/api/users',
        { username: 'ok-name', password: 'long-enough', roles: ['NOPE'] },
        'UNKNOWN_ROLE',
      ],
      ['POST', '/api/users', { username: '../etc', password: 'long-enough' }, 'VALIDATION_ERROR'],
      ['PATCH', '/api/users/missing-id', { displayName: 'x' }, 'USER_NOT_FOUND'],
      ['GET', '/api/users?limit=1000', undefined, 'VALIDATION_ERROR'],
    ];
    for (const [method, url, body, code] of cases) {
      const r = await call(method, url, { token: admin, body });
      assert.equal(r.body.error?.code, code, `${method} ${url} ${JSON.stringify(r.body)}`);
      assert.ok(r.status === 400 || r.status === 404, `${method} ${url} -> ${r.status}`);
    }
  });

  it('throttles repeated failed sign-ins with 429', async () => {
    const attempt = (password: string) =>
      call('POST', '/api/auth/login', { body: { username: 'dave', password } });
    for (let i = 0; i < 10; i++) assert.equal((await attempt('wrong-guess')).status, 401);
    const blocked = await attempt(DEMO_PASSWORD);
    assert.deepEqual([blocked.status, blocked.body.error.code], [429, 'TOO_MANY_LOGIN_ATTEMPTS']);
    assert.equal(blocked.headers.get('retry-after'), '900');
  });

  it('counts sign-in attempts atomically: a parallel burst gets no more than 10 tries', async () => {
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        call('POST', '/api/auth/login', { body: { username: 'erin', password: 'wrong-guess' } }),
      ),
    );
    const statuses = burst.map((r) => r.status);
    assert.equal(statuses.filter((x) => x === 401).length, 10, JSON.stringify(statuses));
    assert.equal(statuses.filter((x) => x === 429).length, 20);
  });

  it('revokes earlier tokens on a role change, a password change and a disable; re-enabling revives none', async () => {
    const created = await call('POST', '/api/users', {
      token: admin,
      body: {
        username: 'olga',
        password: 'olga-password',
        displayName: 'Olga',
        roles: ['ADMIN'],
        unitId: 'u-hq',
      },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.id as string;
    const code = async (token: string) => {
      const r = await call('GET', '/api/auth/me', { token });
      return r.status === 200 ? 200 : `${r.status} ${r.body.error.code}`;
    };
    const first = await login(node.baseUrl, 'olga', 'olga-password');
    assert.equal((await call('GET', '/api/users', { token: first })).status, 200);
    // A display name change revokes nothing.
    await call('PATCH', `/api/users/${id}`, { token: admin, body: { displayName: 'Olga B.' } });
    assert.equal(await code(first), 200);
    // Her token says ADMIN; the directory no longer does: the token is revoked, a new one is not ADMIN.
    await call('PATCH', `/api/users/${id}`, { token: admin, body: { roles: [] } });
    assert.equal(await code(first), '401 TOKEN_REVOKED');
    const second = await login(node.baseUrl, 'olga', 'olga-password');
    assert.equal((await call('GET', '/api/users', { token: second })).status, 403);
    assert.deepEqual((await call('GET', '/api/auth/me', { token: second })).body.roles, []);
    await call('PATCH', `/api/users/${id}`, { token: admin, body: { password: 'olga-password-2' } });
    assert.equal(await code(second), '401 TOKEN_REVOKED');
    const third = await login(node.baseUrl, 'olga', 'olga-password-2');
    await call('PATCH', `/api/users/${id}`, { token: admin, body: { disabled: true } });
    assert.equal(await code(third), '401 USER_DISABLED');
    await call('PATCH', `/api/users/${id}`, { token: admin, body: { disabled: false } });
    assert.equal(await code(third), '401 TOKEN_REVOKED');
    assert.equal(await code(await login(node.baseUrl, 'olga', 'olga-password-2')), 200);
  });

  it('seeds the demo users of the README', async () => {
    const token = await login(node.baseUrl, 'bob', DEMO_PASSWORD);
    const me = await call('GET', '/api/auth/me', { token });
    assert.deepEqual([me.body.roles, me.body.unitId], [['SALES'], 'u-east']);
  });
});
