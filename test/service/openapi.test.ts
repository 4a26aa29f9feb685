import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Record<string, any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  components: Record<string, Record<string, unknown>>;
};

/**
 * GET /api/openapi.json (API.md "Console and API description"): public, OpenAPI 3.1, and generated
 * from the gateway's route table, so every route the gateway serves is in it with its action's
 * parameter schema, the error envelope and the bearer scheme.
 */
describe('OpenAPI description', () => {
  let node: TestNode;
  let doc: Doc;

  before(async () => {
    node = await startTestNode({ DEMO_ORDERS: '100' });
    const r = await http(node.baseUrl, 'GET', '/api/openapi.json');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    doc = r.body as Doc;
  });
  after(() => node?.stop());

  it('describes every published route', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const token = await login(node.baseUrl, 'admin', 'admin');
    const aliases: { methods: string; fullPath: string }[] = await node.broker.call(
      'api.listAliases',
      {},
      {
        meta: { token },
      },
    );
    assert.ok(aliases.length > 40, `${aliases.length} routes`);
    const missing = aliases
      .filter((a) => a.methods !== '*')
      .map((a) => `${a.methods} ${a.fullPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
      .filter((route) => {
        const [method, path] = route.split(' ');
        return !doc.paths[path]?.[method.toLowerCase()];
      });
    assert.deepEqual(missing, [], 'routes served but not described');
    for (const route of [
      'POST /api/export-schedules',
      'DELETE /api/scheduled-tasks/{name}',
      'POST /api/files',
    ])
      assert.ok(doc.paths[route.split(' ')[1]]?.[route.split(' ')[0].toLowerCase()], route);
  });

  it("carries the actions' parameter schemas, the error envelope and the bearer scheme", () => {
    const create = doc.paths['/api/export-schedules'].post;
    const body = create.requestBody.content['application/json'].schema;
    assert.deepEqual([...body.required].sort(), ['bizType', 'cron', 'format', 'name', 'timeZone']);
    assert.deepEqual(body.properties.name, { type: 'string', minLength: 1, maxLength: 100 });
    assert.deepEqual(create.security, [{ bearerAuth: [] }]);
    assert.deepEqual(create.responses['400'], { $ref: '#/components/responses/E400' });

    const get = doc.paths['/api/file-tasks/{id}'].get;
    assert.deepEqual(get.parameters[0], {
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'string', maxLength: 64 },
    });
    const list = doc.paths['/api/file-tasks'].get;
    assert.ok(
      list.parameters.some(
        (p: { name: string; schema: { enum?: string[] } }) =>
          p.name === 'status' && p.schema.enum?.includes('EXPIRED'),
      ),
    );
    assert.ok(
      list.parameters.some((p: { name: string; in: string }) => p.name === 'limit' && p.in === 'query'),
    );

    assert.deepEqual(doc.paths['/api/auth/login'].post.security, [], 'login is public');
    assert.deepEqual(doc.paths['/api/openapi.json'].get.security, []);
    assert.deepEqual(doc.paths['/api/files/{taskId}/content'].get.security, [], 'signed links need no token');
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A user JWT from POST /api/auth/login, or a service account token',
    });
    const envelope = doc.components.schemas.Error as {
      required: string[];
      properties: { error: { required: string[] } };
    };
    assert.deepEqual(envelope.required, ['error']);
    assert.deepEqual(envelope.properties.error.required, ['code', 'message']);
  });

  it('documents the status each route answers with, and the answer has it', async () => {
    const codes = (method: string, path: string) => Object.keys(doc.paths[path][method].responses).sort();
    assert.deepEqual(codes('post', '/api/exports'), ['202', '400', '401', '403', '404', '409', '429', '503']);
    assert.deepEqual(codes('put', '/api/biz-types/{code}').slice(0, 2), ['200', '201']);
    assert.ok(codes('post', '/api/permissions').includes('201'));
    assert.ok(!codes('post', '/api/permissions').includes('200'));
    assert.ok(codes('delete', '/api/permissions/{id}').includes('204'));
    assert.ok(codes('post', '/api/auth/login').includes('429'));
    assert.ok(codes('get', '/api/files/{taskId}/content').includes('416'));
    assert.ok(
      doc.paths['/api/files/{taskId}/content'].get.parameters.some(
        (p: { name: string; in: string; required: boolean }) =>
          p.name === 'token' && p.in === 'query' && p.required,
      ),
      'the signed link token is described',
    );
    assert.ok(doc.components.responses.E429, 'the 429 answer is defined once');
    // The gateway answers with the declared status (the handler no longer sets it).
    const admin = await login(node.baseUrl, 'admin', 'admin');
    const created = await http(node.baseUrl, 'POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export', format: 'csv' },
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
  });
});
