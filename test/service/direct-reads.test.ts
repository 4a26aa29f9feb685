import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { http, login, startTestNode, type Http, type TestNode } from '../support/embedded-node';
import { waitForTask } from '../support/exports';

/**
 * The direct reads (mixins/http/direct-reads.ts) answer exactly as moleculer-web does: every
 * request below is sent twice, once as is (the direct path) and once with an empty query string
 * (`?`: moleculer-web's own handler, which parses it to no parameters), and the two answers must
 * have the same status, headers and body. A count of `api.rest` calls shows which path each took.
 */
describe('direct reads: GET /api/file-tasks/:id and its download link, as moleculer-web answers them', () => {
  let node: TestNode;
  let restCalls = 0;
  const tokens: Record<string, string> = {};
  let aliceTask: string;

  before(async () => {
    node = await startTestNode({ DEMO_ORDERS: '200' });
    tokens.admin = await login(node.baseUrl, 'admin', 'admin');
    for (const u of ['alice', 'bob']) tokens[u] = await login(node.baseUrl, u, DEMO_PASSWORD);
    const api = node.broker.getLocalService('api') as unknown as {
      actions: { rest: (...a: unknown[]) => Promise<unknown> };
    };
    const rest = api.actions.rest;
    api.actions.rest = (...a: unknown[]) => {
      restCalls++;
      return rest(...a);
    };
    const grant = { bizType: 'order_export', type: 'ROLE', subject: 'FINANCE', actions: ['export'] };
    const g = await http(node.baseUrl, 'POST', '/api/permissions', { token: tokens.admin, body: grant });
    assert.equal(g.status, 201, JSON.stringify(g.body));
    const made = await http(node.baseUrl, 'POST', '/api/exports', {
      token: tokens.alice,
      body: { bizType: 'order_export', format: 'csv' },
    });
    assert.equal(made.status, 202, JSON.stringify(made.body));
    aliceTask = made.body.id;
    assert.equal((await waitForTask(node, tokens.alice, aliceTask)).status, 'SUCCESS');
  });
  after(() => node.stop());

  /** A request as written (fetch drops an empty query string and refuses a GET with a body). */
  const send = (method: string, url: string, headers: Record<string, string>, body?: string) =>
    new Promise<Http>((resolve, reject) => {
      const base = new URL(node.baseUrl);
      const length: Record<string, string> =
        body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
      const options = {
        host: base.hostname,
        port: base.port,
        path: url,
        method,
        headers: { ...headers, ...length },
      };
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: h, body: parsed });
        });
      });
      req.on('error', reject);
      req.end(body);
    });

  /** Status, headers (but the date) and body; a link's token and expiry differ from call to call. */
  const shape = (r: Http) => {
    const headers = Object.fromEntries([...r.headers].filter(([k]) => k !== 'date'));
    const body = r.body as { url?: string; expiresAt?: string } | null;
    const link =
      body && typeof body.url === 'string'
        ? { ...body, url: body.url.split('?')[0], expiresAt: typeof body.expiresAt }
        : body;
    return { status: r.status, headers, body: link };
  };

  /** The request both ways; returns what the direct path answered. */
  async function same(url: string, opts: { token?: string; headers?: Record<string, string> } = {}) {
    const headers = { 'x-request-id': `rid-${Math.random().toString(36).slice(2)}`, ...opts.headers };
    const before = restCalls;
    const direct = await http(node.baseUrl, 'GET', url, { ...opts, headers });
    assert.equal(restCalls, before, `${url}: answered without api.rest`);
    const auth: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
    const gateway = await send('GET', `${url}?`, { ...auth, ...headers });
    assert.equal(restCalls, before + 1, `${url}?: answered by moleculer-web`);
    assert.deepEqual(shape(direct), shape(gateway), url);
    assert.equal(direct.headers.get('x-request-id'), headers['x-request-id']);
    return direct;
  }

  it('answers a visible task, an invisible one and an unknown id as moleculer-web does', async () => {
    assert.equal((await same(`/api/file-tasks/${aliceTask}`, { token: tokens.admin })).status, 200);
    const own = await same(`/api/file-tasks/${aliceTask}`, { token: tokens.alice });
    assert.equal(own.status, 200);
    assert.equal(own.body.id, aliceTask);
    // bob sees none of alice's tasks: 404, not 403.
    assert.equal((await same(`/api/file-tasks/${aliceTask}`, { token: tokens.bob })).status, 404);
    assert.equal((await same('/api/file-tasks/no-such-task', { token: tokens.admin })).status, 404);
  });

  it('refuses a missing, malformed or bad credential as moleculer-web does (401 with WWW-Authenticate)', async () => {
    for (const authorization of [undefined, 'Basic YWRtaW46YWRtaW4=', 'Bearer not-a-token']) {
      const r = await same(`/api/file-tasks/${aliceTask}`, {
        headers: authorization ? { authorization } : {},
      });
      assert.equal(r.status, 401, String(authorization));
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    }
  });

  it('gives download links as moleculer-web does: 200, and 404 for an invisible or unknown task', async () => {
    const link = await same(`/api/file-tasks/${aliceTask}/download-url`, { token: tokens.alice });
    assert.equal(link.status, 200);
    assert.equal((await fetch(link.body.url)).status, 200, 'the link works');
    assert.equal(
      (await same(`/api/file-tasks/${aliceTask}/download-url`, { token: tokens.bob })).status,
      404,
    );
    assert.equal(
      (await same('/api/file-tasks/no-such-task/download-url', { token: tokens.admin })).status,
      404,
    );
  });

  it('generates a request id when the caller sends none (or one not safe to log)', async () => {
    for (const rid of [undefined, 'bad id with spaces']) {
      const r = await http(node.baseUrl, 'GET', `/api/file-tasks/${aliceTask}`, {
        token: tokens.admin,
        headers: rid ? { 'x-request-id': rid } : {},
      });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    }
  });

  it('leaves every other request to moleculer-web', async () => {
    const cases: [string, string, Record<string, string>, string?][] = [
      ['HEAD', `/api/file-tasks/${aliceTask}`, {}],
      ['GET', `/api/file-tasks/${aliceTask}/`, {}],
      ['GET', `/api/file-tasks/${aliceTask}?x=1`, {}],
      ['GET', `/api/file-tasks/${aliceTask}`, { 'content-type': 'application/json' }, '{"id":"other"}'],
      ['GET', '/api/file-tasks', {}],
      ['GET', '/api/biz-types', {}],
      ['GET', '/api/file-tasks/%zz', {}],
    ];
    for (const [method, url, headers, raw] of cases) {
      const before = restCalls;
      const r = await send(method, url, { authorization: `Bearer ${tokens.admin}`, ...headers }, raw);
      assert.equal(
        restCalls,
        before + 1,
        `${method} ${url}${raw ? ' with a body' : ''}: through moleculer-web`,
      );
      assert.ok(r.status < 500, `${method} ${url}: ${r.status}`);
    }
  });
});
