import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FileTask } from '../../domain/file-tasks/file-task';
import { ulidIds } from '../../mixins/auth/ulid-ids';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';
import { http, login } from '../support/embedded-node';
import { browserMissing, choose, grant, screenshot, signIn, startConsole, type Console } from './harness';

const skip = browserMissing();

describe('e2e: an ordinary user exports, uploads and downloads', { skip }, () => {
  let c: Console;
  before(async () => {
    c = await startConsole();
    // No grants are seeded: bob (role SALES) may export orders with the phone column only.
    await grant(c, {
      bizType: 'order_export',
      type: 'ROLE',
      subject: 'SALES',
      actions: ['read', 'download', 'export'],
      columns: ['buyer_phone'],
    });
    // A copy of the orders export that allows 50 rows in one export (the demo shop has 300).
    const orders = await http(c.baseUrl, 'GET', '/api/biz-types/order_export', { token: c.adminToken });
    const {
      code: _code,
      updatedAt: _at,
      version: _v,
      ...definition
    } = orders.body as {
      rules: Record<string, unknown>;
    } & Record<string, unknown>;
    const small = await http(c.baseUrl, 'PUT', '/api/biz-types/order_small', {
      token: c.adminToken,
      body: { ...definition, name: 'Orders (50 at most)', rules: { ...definition.rules, maxRows: 50 } },
    });
    assert.ok(small.status === 200 || small.status === 201, JSON.stringify(small.body));
    await grant(c, { bizType: 'order_small', type: 'ROLE', subject: 'SALES', actions: ['export'] });
  });
  after(async () => {
    await c?.stop();
  });

  it('requests an export, follows it to SUCCESS and downloads a real xlsx', async () => {
    const { context, page } = await c.open();
    try {
      await signIn(page, 'bob', 'demo-pass-1');
      await page.getByRole('navigation').getByRole('menuitem', { name: 'New export' }).click();
      await page.getByRole('heading', { name: 'New export' }).waitFor();
      await choose(page, 'What to export', 'order_export');
      // Restricted columns bob was not granted are shown, disabled; the granted one is not.
      await page.getByRole('checkbox', { name: /^Phone/ }).waitFor();
      assert.equal(await page.getByRole('checkbox', { name: /^Amount/ }).isDisabled(), true);
      assert.equal(await page.getByRole('checkbox', { name: /^Phone/ }).isDisabled(), false);
      assert.equal(await page.getByRole('checkbox', { name: /^Order No/ }).isChecked(), true);
      // Filters read as words: the column's header and the operator, never a raw symbol.
      for (const label of ['Status is any of', 'Created from', 'Created before'])
        await page.getByLabel(label, { exact: true }).waitFor();
      await page.getByRole('textbox', { name: 'City', exact: true }).waitFor();
      assert.equal(await page.getByText(/^(Status in|Created >=|City =)$/).count(), 0);
      // A chosen filter reaches the request (the filter controls once dropped their values).
      await choose(page, 'Status is any of', 'Paid');
      await page.keyboard.press('Escape');
      // The zone defaults to the person's own; a picked date is read in the chosen one (UTC here,
      // while the browser is in Shanghai), and the headers may be written in Chinese.
      assert.equal(await page.getByTitle('Asia/Shanghai', { exact: true }).count(), 1);
      await choose(page, 'Time zone', 'UTC');
      const from = page.getByLabel('Created from', { exact: true });
      await from.click();
      await from.fill('2000-01-01 00:00:00');
      await page.keyboard.press('Enter');
      await page.getByText('中文 (zh-CN)', { exact: true }).click();
      // The preview: the rows this export would have and its columns in the chosen language.
      await page.getByRole('button', { name: 'Preview' }).click();
      const preview = page.getByRole('status').filter({ hasText: /rows match/ });
      await preview.getByText('订单号', { exact: true }).waitFor();
      assert.equal(await preview.getByText('金额', { exact: true }).count(), 0, 'not granted: not listed');
      await screenshot(c, page, 'new-export');
      // A double click makes one task (one idempotency key per form).
      await page.getByRole('button', { name: 'Request export' }).dblclick();
      await page.getByRole('heading', { name: 'My files and exports' }).waitFor();
      const row = page.getByRole('row').filter({ hasText: 'order_export' });
      await row.getByText('Succeeded').waitFor({ timeout: 60_000 });
      assert.equal(await row.count(), 1, 'one export for a double click');
      const mine = await http(c.baseUrl, 'GET', '/api/file-tasks?kind=EXPORT', {
        token: await login(c.baseUrl, 'bob', 'demo-pass-1'),
      });
      const made = mine.body.items[0].export;
      assert.deepEqual(made.filters, { status: [1], createdFrom: '2000-01-01T00:00:00.000Z' });
      assert.equal(made.timeZone, 'UTC');
      assert.equal(made.locale, 'zh-CN');
      // The biz type by its name; the file name on one line (an ellipsis, the whole name on hover).
      await row.getByText('Orders', { exact: true }).waitFor();
      const name = row.getByRole('button', { name: /^Details: order_export-/ });
      const box = await name.boundingBox();
      assert.ok(box && box.height < 30, `the name is one line high (${box?.height}px)`);
      await screenshot(c, page, 'files');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        row.getByRole('button', { name: 'Download' }).click(),
      ]);
      const file = path.join(c.shotsDir, download.suggestedFilename());
      await download.saveAs(file);
      const bytes = fs.readFileSync(file);
      assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an xlsx is a zip');
      assert.ok(bytes.length > 1000);

      // The manifest of the finished export: columns, masking, rows, sha256.
      await row.getByRole('button', { name: /^Details: / }).click();
      const drawer = page.getByRole('dialog');
      await drawer.getByText('Manifest').waitFor();
      await drawer.getByText('masked (phone)').waitFor();
      assert.equal(await drawer.getByRole('cell', { name: 'amount', exact: true }).count(), 0);
      await screenshot(c, page, 'export-manifest');
    } finally {
      await context.close();
    }
  });

  it('shows a FAILED export with a retry to come as retrying, a final one as failed', async () => {
    const db = await acquireMainDatabase(c.node.config.database);
    try {
      const repo = new FileTaskRepository(db);
      const bob = await login(c.baseUrl, 'bob', 'demo-pass-1');
      const mine = await http(c.baseUrl, 'GET', '/api/file-tasks?kind=EXPORT', { token: bob });
      const template = (await repo.find(mine.body.items[0].id as string))!.snapshot();
      // As the worker leaves them: an outage waited out (the attempt given back), a revoked permission.
      const failed = async (name: string, end: (t: FileTask, now: Date) => void) => {
        const now = new Date();
        const t = FileTask.exportRequested({
          ...template,
          id: ulidIds.next(),
          name,
          format: 'csv',
          spec: template.export!.spec,
          idempotencyKey: null,
          requestHash: `h${ulidIds.next()}`,
          now,
        });
        t.start('gone:1:1', new Date(now.getTime() + 60_000), now);
        end(t, now);
        await repo.insert(t, []);
      };
      await failed('outage-e2e.csv', (t, now) => t.failForOutage('database down', now));
      await failed('revoked-e2e.csv', (t, now) => t.fail('PERMISSION_REVOKED', 'no', now));
      const { context, page } = await c.open();
      try {
        await signIn(page, 'bob', 'demo-pass-1');
        const row = (name: string) => page.getByRole('row').filter({ hasText: name });
        await row('outage-e2e.csv').getByText('Retrying…', { exact: true }).waitFor();
        await row('revoked-e2e.csv').getByText('Failed', { exact: true }).waitFor();
        assert.equal(await row('outage-e2e.csv').getByText('Failed', { exact: true }).count(), 0);
      } finally {
        await context.close();
      }
    } finally {
      await releaseMainDatabase(c.node.config.database);
    }
  });

  it("says before the request when an export would pass its biz type's maxRows", async () => {
    const { context, page } = await c.open({ locale: 'zh-CN' });
    try {
      await signIn(page, 'bob', 'demo-pass-1');
      await page.getByRole('navigation').getByRole('menuitem', { name: '新建导出' }).click();
      await choose(page, '导出内容', 'order_small');
      await page.getByRole('button', { name: /^预\s*览$/ }).click();
      await page.getByRole('alert').filter({ hasText: '超过此业务类型单次导出的上限 50 行' }).waitFor();
      assert.equal(await page.getByRole('button', { name: '提交导出' }).isDisabled(), true);
      await screenshot(c, page, 'new-export-too-many-rows');
      // Any change makes the preview stale: the request is possible again (and checked by the API).
      await page.getByText('English (en)', { exact: true }).click();
      assert.equal(await page.getByRole('alert').filter({ hasText: '超过' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: '提交导出' }).isDisabled(), false);
    } finally {
      await context.close();
    }
  });

  it('uploads a file with its rules shown first, then downloads the same bytes', async () => {
    const { context, page } = await c.open({ locale: 'zh-CN' });
    try {
      await signIn(page, 'bob', 'demo-pass-1');
      await page.getByRole('navigation').getByRole('menuitem', { name: '上传' }).click();
      await page.getByRole('heading', { name: '上传' }).waitFor();
      // A type the biz type refuses is refused before any byte is sent.
      await choose(page, '业务类型', 'contract');
      await page.getByText('允许：application/pdf').waitFor();
      const input = page.locator('input[type=file]');
      await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await page.getByRole('alert').filter({ hasText: '此业务类型不接受' }).waitFor();

      await choose(page, '业务类型', 'attachment');
      const content = Buffer.from(`e2e upload ${Date.now()}\n`.repeat(500));
      await input.setInputFiles({ name: '报告-e2e.txt', mimeType: 'text/plain', buffer: content });
      await page.getByText('已上传：报告-e2e.txt').first().waitFor();
      await screenshot(c, page, 'upload');

      await page.getByRole('navigation').getByRole('menuitem', { name: '我的文件与导出' }).click();
      const row = page.getByRole('row').filter({ hasText: '报告-e2e.txt' });
      await row.waitFor();
      await row.getByText('Attachments (any type)', { exact: true }).waitFor();
      // antd's own words follow the language too: the date range's placeholders are Chinese.
      await page.getByPlaceholder('开始日期').waitFor();
      await page.getByPlaceholder('结束日期').waitFor();
      assert.equal(await page.getByPlaceholder('Start date').count(), 0);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        row.getByRole('button', { name: '下载' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), '报告-e2e.txt');
      const file = path.join(c.shotsDir, 'downloaded-upload.txt');
      await download.saveAs(file);
      assert.ok(fs.readFileSync(file).equals(content), 'the same bytes come back');
      await screenshot(c, page, 'files-zh-CN');
    } finally {
      await context.close();
    }
  });
});
