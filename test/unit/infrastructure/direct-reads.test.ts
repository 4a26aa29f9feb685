import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { DirectReads, type DirectRequest, type Gateway } from '../../../mixins/http/direct-reads';

/** Which requests the direct path takes: everything else must reach moleculer-web untouched. */
describe('direct reads: which requests skip moleculer-web', () => {
  const route = { path: '/api', opts: {} };
  const gatewayWith = (alias: Record<string, unknown> | null, routeExtra: Record<string, unknown> = {}) => {
    const seen = { resolved: 0, errors: 0 };
    const gateway = {
      broker: {} as Gateway['broker'],
      settings: {},
      resolveAlias: () => {
        seen.resolved++;
        return alias
          ? { alias: { route: { ...route, ...routeExtra }, ...alias }, params: { id: '1' } }
          : false;
      },
      sendResponse: () => assert.fail('no response without a broker'),
      // The fake has no broker: a request taken is answered through the gateway's error handler.
      errorHandler: () => void seen.errors++,
    } as unknown as Gateway;
    return { gateway, seen };
  };
  const req = (method: string, url: string, headers: Record<string, string> = {}) =>
    ({ method, url, headers }) as unknown as DirectRequest;
  const res = { setHeader() {} } as unknown as ServerResponse;
  const reads = (ready = true) => new DirectReads(['fileTasks.get'], () => ready);

  it('takes a plain GET to a listed action while ready', async () => {
    const { gateway, seen } = gatewayWith({ action: 'fileTasks.get' });
    assert.equal(reads().handle(gateway, req('GET', '/api/file-tasks/1'), res), true);
    await new Promise((r) => setImmediate(r));
    assert.equal(seen.errors, 1);
  });

  it('leaves the request alone before the gateway is ready, or degraded', () => {
    const { gateway, seen } = gatewayWith({ action: 'fileTasks.get' });
    assert.equal(reads(false).handle(gateway, req('GET', '/api/file-tasks/1'), res), false);
    assert.equal(seen.resolved, 0);
  });

  it('leaves other methods, query strings, trailing slashes and bodies to moleculer-web', () => {
    const { gateway } = gatewayWith({ action: 'fileTasks.get' });
    for (const r of [
      req('HEAD', '/api/file-tasks/1'),
      req('POST', '/api/file-tasks/1'),
      req('GET', '/api/file-tasks/1?x=1'),
      req('GET', '/api/file-tasks/1?'),
      req('GET', '/api/file-tasks/1/'),
      req('GET', '/api/file-tasks/1', { 'content-length': '2' }),
      req('GET', '/api/file-tasks/1', { 'transfer-encoding': 'chunked' }),
    ])
      assert.equal(
        reads().handle(gateway, r, res),
        false,
        `${r.method} ${r.url} ${JSON.stringify(r.headers)}`,
      );
    assert.equal(
      reads().handle(gateway, req('GET', '/api/file-tasks/1', { 'content-length': '0' }), res),
      true,
    );
  });

  it('leaves a path whose parameter does not decode to moleculer-web (its 400)', () => {
    const { gateway } = gatewayWith({ action: 'fileTasks.get' });
    gateway.resolveAlias = () => {
      throw new URIError('URI malformed');
    };
    assert.equal(reads().handle(gateway, req('GET', '/api/file-tasks/%zz'), res), false);
  });

  it('leaves unlisted actions, custom handlers, unknown routes and hooked routes to moleculer-web', () => {
    const cases: [Record<string, unknown> | null, Record<string, unknown>?][] = [
      [null],
      [{ action: 'fileTasks.list' }],
      [{ action: 'fileTasks.get', handler: () => undefined }],
      [{ action: 'fileTasks.get' }, { cors: {} }],
      [{ action: 'fileTasks.get' }, { rateLimit: {} }],
      [{ action: 'fileTasks.get' }, { onBeforeCall: () => undefined }],
      [{ action: 'fileTasks.get' }, { authorization: () => undefined }],
    ];
    for (const [alias, extra] of cases) {
      const { gateway } = gatewayWith(alias, extra);
      assert.equal(
        reads().handle(gateway, req('GET', '/api/file-tasks/1'), res),
        false,
        JSON.stringify([alias, extra]),
      );
    }
  });
});
