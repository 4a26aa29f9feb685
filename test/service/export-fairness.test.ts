import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { http, type TestNode } from '../support/embedded-node';
import { fairNode, fairnessScenario, progressEvents } from '../support/fairness';
import { waitForTask } from '../support/exports';

describe('fair export scheduling on the embedded queue', () => {
  let node: TestNode;
  let admin: string;
  let bob: string;
  let events: { taskId: string; status: string }[];
  before(async () => {
    ({ node, admin, bob } = await fairNode({}));
    events = progressEvents(node.broker);
  });
  after(() => node.stop());

  it("runs B's small export before A's third of four", async () => {
    await fairnessScenario(node.baseUrl, admin, bob, { events });
  });

  it('answers 429 EXPORT_QUOTA_EXCEEDED with Retry-After past rules.dailyRowQuota, and 400 past rules.maxRows', async () => {
    const current = await http(node.baseUrl, 'GET', '/api/biz-types/order_export', { token: admin });
    const def = current.body;
    const put = await http(node.baseUrl, 'PUT', '/api/biz-types/order_export', {
      token: admin,
      body: { ...def, rules: { ...def.rules, dailyRowQuota: 5000, timeZone: 'Asia/Shanghai' } },
    });
    assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
    const ask = (status: number[]) =>
      http(node.baseUrl, 'POST', '/api/exports', {
        token: bob,
        body: { bizType: 'order_export', format: 'csv', filters: { status } },
      });
    // bob's earlier export today already counts; the preview says how many rows each would add.
    const preview = await http(node.baseUrl, 'POST', '/api/exports/preview', {
      token: bob,
      body: { bizType: 'order_export', filters: { status: [1, 2, 3, 4, 5] } },
    });
    assert.ok(preview.body.estimatedRows > 5000, JSON.stringify(preview.body));
    const over = await ask([1, 2, 3, 4, 5]);
    assert.equal(over.status, 429, JSON.stringify(over.body));
    assert.equal(over.body.error.code, 'EXPORT_QUOTA_EXCEEDED');
    const retryAfter = Number(over.headers.get('retry-after'));
    // Seconds to the next midnight in Shanghai.
    const shanghai = new Date(Date.now() + 8 * 3600_000);
    const toMidnight =
      86_400 - (shanghai.getUTCHours() * 3600 + shanghai.getUTCMinutes() * 60 + shanghai.getUTCSeconds());
    assert.ok(Math.abs(retryAfter - toMidnight) <= 5, `Retry-After ${retryAfter}, expected ~${toMidnight}`);
    assert.equal(over.body.error.data.dailyRowQuota, 5000);
    // A small one still fits, and counts: then the quota is used up.
    const fits = await ask([5]);
    assert.equal(fits.status, 202, JSON.stringify(fits.body));
    await waitForTask(node, bob, fits.body.id);
    const used = over.body.error.data.usedRows as number;
    const room = 5000 - used - (fits.body.export.progress.total as number);
    assert.ok(room >= 0, `${room}`);

    const capped = await http(node.baseUrl, 'PUT', '/api/biz-types/order_export', {
      token: admin,
      body: {
        ...def,
        version: (await http(node.baseUrl, 'GET', '/api/biz-types/order_export', { token: admin })).body
          .version,
        rules: { ...def.rules, maxRows: 1000 },
      },
    });
    assert.ok([200, 201].includes(capped.status), JSON.stringify(capped.body));
    // Biz types are cached on every node: wait until the new rules are the ones requests see.
    for (let i = 0; ; i++) {
      const p = await http(node.baseUrl, 'POST', '/api/exports/preview', {
        token: admin,
        body: { bizType: 'order_export' },
      });
      if (p.body.maxRows === 1000) break;
      if (i > 100) throw new Error(`maxRows still ${p.body.maxRows}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const tooMany = await http(node.baseUrl, 'POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export', format: 'csv' },
    });
    assert.equal(tooMany.status, 400, JSON.stringify(tooMany.body));
    assert.equal(tooMany.body.error.code, 'EXPORT_TOO_MANY_ROWS');
    assert.deepEqual([tooMany.body.error.data.maxRows, tooMany.body.error.data.estimatedRows], [1000, 20000]);
  });
});
