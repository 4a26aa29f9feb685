import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadAppConfig, parseServices } from '../../../mixins/config/app-config';

describe('app config', () => {
  it('is the embedded default with no environment at all', () => {
    const c = loadAppConfig({});
    assert.equal(c.embedded, true);
    assert.equal(c.transporter, null);
    assert.equal(c.cacher, 'memory');
    assert.equal(c.database.type, 'sqlite');
    assert.equal(c.oss, null);
    assert.equal(c.redisUrl, null);
    assert.equal(c.queueLockMs, null, "each queue's own lock unless QUEUE_LOCK_SECONDS is set");
    assert.equal(loadAppConfig({ QUEUE_LOCK_SECONDS: '10' }).queueLockMs, 10_000);
    assert.equal(c.http.host, '127.0.0.1');
    assert.equal(c.http.port, 3000);
    assert.equal(c.auth.adminPassword, 'admin');
    assert.equal(c.demo.enabled, true);
    assert.deepEqual(c.services.sort(), [
      'api',
      'directory',
      'exportRequests',
      'exportSchedules',
      'exportWorker',
      'exports',
      'fileTasks',
      'metadata',
      'operationLogs',
      'permissions',
      'scheduler',
      'shop',
      'webhooks',
    ]);
    assert.equal(c.dataDir, path.resolve('data'));
    assert.deepEqual(c.shopDatabase, { type: 'sqlite', file: path.resolve('data', 'shop.sqlite') });
    assert.deepEqual(loadAppConfig({ SHOP_DATABASE_URL: 'mysql://s/shop' }).shopDatabase, {
      type: 'mysql',
      url: 'mysql://s/shop',
    });
    assert.ok(c.transitMaxChunkSize <= 128 * 1024);
  });

  it('switches to production infrastructure from the environment', () => {
    const c = loadAppConfig({
      DATABASE_URL: 'mariadb://u:p@db:3306/ftc',
      REDIS_URL: 'redis://r:6379',
      TRANSPORTER: 'nats://n:4222',
      JWT_SECRET: 'x'.repeat(32),
      LOG_CHAIN_KEY: 'y'.repeat(32),
      SERVICES: 'gateway',
    });
    assert.equal(c.embedded, false);
    assert.deepEqual(c.database, { type: 'mysql', url: 'mysql://u:p@db:3306/ftc' });
    assert.deepEqual(c.shopDatabase, { type: 'mysql', url: 'mysql://u:p@db:3306/ftc_shop' });
    assert.equal(c.cacher, 'redis');
    assert.equal(c.http.host, '0.0.0.0');
    assert.equal(c.auth.adminPassword, null);
    assert.equal(c.demo.enabled, false);
    assert.deepEqual(c.services, ['api']);
    assert.equal(c.logFormat, 'json');
  });

  it('rejects bad values with the variable name in the message', () => {
    const bad: Record<string, string>[] = [
      { PORT: 'eighty' },
      { PORT: '70000' },
      { TRANSPORTER: 'redis://x' },
      { TRANSIT_MAX_CHUNK_SIZE: String(1024 * 1024) },
      { CACHER: 'redis' },
      { DATABASE_URL: 'postgres://x' },
      { JWT_SECRET: 'short' },
      { DATABASE_URL: 'mysql://x/db', TRANSPORTER: 'nats://n:4222', LOG_CHAIN_KEY: 'k'.repeat(32) },
      { DATABASE_URL: 'mysql://x/db', TRANSPORTER: 'nats://n:4222', JWT_SECRET: 'j'.repeat(32) },
      { LOG_CHAIN_KEY: 'short' },
      { OSS_BUCKET: 'b' },
      { DEMO_DATA: 'maybe' },
      { SERVICES: 'api,nope' },
      { LOG_LEVEL: 'loud' },
      { QUEUE_LOCK_SECONDS: '2' },
    ];
    for (const env of bad) {
      const name = Object.keys(env).at(-1)!;
      assert.throws(
        () => loadAppConfig(env),
        (e: unknown) => e instanceof ConfigError && /[A-Z_]+/.test(e.message),
        name,
      );
    }
  });

  it('expands service groups and de-duplicates', () => {
    assert.deepEqual(parseServices('core, directory'), [
      'directory',
      'operationLogs',
      'permissions',
      'metadata',
      'fileTasks',
      'exports',
      'shop',
      'scheduler',
      'webhooks',
      'exportRequests',
      'exportSchedules',
    ]);
    assert.deepEqual(parseServices('gateway,export'), ['api', 'exportWorker']);
    assert.throws(() => parseServices(' , '), ConfigError);
  });

  it('reads OSS settings when a bucket is set', () => {
    const c = loadAppConfig({
      OSS_BUCKET: 'files',
      OSS_REGION: 'oss-cn-hangzhou',
      OSS_ACCESS_KEY_ID: 'id',
      OSS_ACCESS_KEY_SECRET: 'secret',
      OSS_PREFIX: '/ftc/',
    });
    assert.equal(c.oss?.bucket, 'files');
    assert.equal(c.oss?.prefix, 'ftc/');
    assert.equal(c.oss?.secure, true);
  });
});
