import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeclaredRoutes, readiness } from '../../../mixins/http/readiness';
import { neededServices } from '../../../services/api.service';

const alias = (method: string, fullPath: string, action?: string) => ({
  method,
  fullPath,
  action,
  match: (url: string) => (new RegExp(`^${fullPath.replace(/:[^/]+/g, '[^/]+')}$`).test(url) ? {} : null),
});

describe('gateway readiness', () => {
  it('is starting until every needed service is available and routed, degraded after', () => {
    const needed = ['directory', 'exports'];
    const both = new Set(needed);
    assert.deepEqual(readiness(needed, new Set(['directory']), both, false), {
      status: 'starting',
      missing: ['exports'],
    });
    // Available but its aliases not generated yet: not ready (a request would get 404).
    assert.deepEqual(readiness(needed, both, new Set(['directory']), false).missing, ['exports']);
    assert.deepEqual(readiness(needed, both, both, false), { status: 'ready', missing: [] });
    assert.equal(readiness(needed, new Set(), new Set(), true).status, 'degraded');
  });

  it('remembers routes whose service went away, so they answer 503 and not 404', () => {
    const routes = new DeclaredRoutes();
    const served = routes.remember([
      alias('POST', '/api/exports', 'exports.create'),
      alias('GET', '/api/file-tasks/:id', 'fileTasks.get'),
      alias('POST', '/api/files'),
    ]);
    assert.deepEqual([...served].sort(), ['exports', 'fileTasks']);
    routes.remember([]); // the services left: their aliases are gone
    assert.equal(routes.has('POST', '/api/exports'), true);
    assert.equal(routes.has('GET', '/api/file-tasks/T1'), true);
    assert.equal(routes.has('GET', '/api/exports'), false, 'another method');
    assert.equal(routes.has('GET', '/api/nothing'), false);
    assert.match(routes.table(), /POST \/api\/exports => exports\.create/);
  });

  it('a gateway-only node needs every published service, a combined node its own', () => {
    assert.ok(neededServices(['api']).includes('scheduler'));
    assert.deepEqual(neededServices(['api', 'directory']), ['directory']);
  });
});
