import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../mixins/config/app-config';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { WebhookSchema } from '../../mixins/database/schemas/webhook.schema';
import { SecretBox } from '../../mixins/webhooks/secret-box';
import { resealWebhookSecrets } from '../../mixins/webhooks/secret-reseal';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';

const OLD = 'o'.repeat(40);
const NEW = 'n'.repeat(40);

/** A key rotation end to end on each engine: old-key rows, a legacy plain row, a current row. */
function rotationCases(open: () => Promise<{ config: DatabaseConfig; cleanup: () => Promise<void> }>) {
  {
    let ds: DataSource;
    let config: DatabaseConfig;
    let cleanup: () => Promise<void>;
    const secrets = {
      a: 'whsec_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      b: 'whsec_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      c: 'whsec_legacy_plain_cccccccccccccccc',
    };

    before(async () => {
      ({ config, cleanup } = await open());
      ds = await acquireMainDatabase(config);
      const oldBox = new SecretBox(OLD);
      const newBox = new SecretBox(NEW);
      const row = (id: string, secret: string) => ({
        id,
        url: `https://example.test/${id}`,
        events: ['exports.succeeded'],
        bizTypes: [],
        secret,
        createdBy: 'admin',
        createdAt: new Date(),
      });
      await ds
        .getRepository(WebhookSchema)
        .insert([
          row('wh-a', oldBox.seal(secrets.a)),
          row('wh-b', newBox.seal(secrets.b)),
          row('wh-c', secrets.c),
        ]);
    });
    after(async () => {
      await releaseMainDatabase(config);
      await cleanup();
    });

    it('seals old-key and plain secrets under the new key, leaves current ones, and is idempotent', async () => {
      const ring = new SecretBox(NEW, [OLD]);
      assert.deepEqual(await resealWebhookSecrets(ds, ring), { resealed: 2, current: 1 });
      const newOnly = new SecretBox(NEW);
      const stored = await ds.getRepository(WebhookSchema).find({ order: { id: 'ASC' } });
      assert.deepEqual(
        stored.map((r) => newOnly.open(r.secret)),
        [secrets.a, secrets.b, secrets.c],
        'every secret opens with the new key alone: the old key can be dropped',
      );
      assert.ok(
        stored.every((r) => r.secret.startsWith('v1.')),
        'no plain secret left',
      );
      assert.deepEqual(await resealWebhookSecrets(ds, ring), { resealed: 0, current: 3 });
    });
  }
}

describe('webhook secrets sealed again after a key rotation (SQLite)', () =>
  rotationCases(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-reseal-'));
    return {
      config: { type: 'sqlite', file: path.join(dir, 'ftc.sqlite') },
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }));

describe('webhook secrets sealed again after a key rotation (MySQL)', async () => {
  const s = await servers('mysql');
  if (s.skip) {
    it('needs MySQL', { skip: s.skip }, () => {});
    return;
  }
  rotationCases(async () => {
    const db = await tempMysqlDatabase(s.url.mysql, 'ftc_reseal');
    return { config: { type: 'mysql', url: db.url }, cleanup: db.drop };
  });
});
