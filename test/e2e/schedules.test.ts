import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { http, login } from '../support/embedded-node';
import { browserMissing, choose, grant, screenshot, signIn, startConsole, type Console } from './harness';

const skip = browserMissing();

interface Schedule {
  id: string;
  name: string;
  cron: string;
  timeZone: string;
  filters: Record<string, unknown>;
  nextRunAt: string | null;
  lastTaskId: string | null;
}

describe('e2e: export schedules and lifecycle jobs', { skip }, () => {
  let c: Console;
  let scheduleId = '';
  before(async () => {
    c = await startConsole();
    // bob and dave are both SALES: the same grant, different owners.
    await grant(c, {
      bizType: 'order_export',
      type: 'ROLE',
      subject: 'SALES',
      actions: ['read', 'download', 'export'],
    });
  });
  after(async () => {
    await c?.stop();
  });

  it('a user writes a schedule with a relative period, sees its next run, runs it now and finds the task', async () => {
    const { context, page } = await c.open();
    try {
      await signIn(page, 'bob', 'demo-pass-1');
      await page.getByRole('navigation').getByRole('menuitem', { name: 'Export schedules' }).click();
      await page.getByRole('heading', { name: 'Export schedules' }).waitFor();
      await page.getByText('No schedules yet.').waitFor();

      await page.getByRole('button', { name: 'New schedule' }).click();
      const dialog = page.getByRole('dialog', { name: 'New export schedule' });
      await choose(page, 'What to export', 'order_export');
      await dialog.getByLabel('Name', { exact: true }).fill('Monthly orders');
      // A preset fills the rule; its meaning and next runs show before saving.
      await dialog.getByRole('button', { name: '1st of the month 02:00' }).click();
      assert.equal(await dialog.getByLabel('Repeat (cron)').inputValue(), '0 2 1 * *');
      await dialog.getByText('Every month on day 1 at 02:00 (Asia/Shanghai)').waitFor();
      // A period relative to each run replaces the range's fixed-date pickers.
      await dialog.getByLabel('Created from', { exact: true }).waitFor();
      await dialog.getByLabel('Period of each run').click({ force: true });
      await page.getByTitle('Last month', { exact: true }).click();
      await dialog.getByLabel('Created from', { exact: true }).waitFor({ state: 'detached' });
      await choose(page, 'Status is any of', 'Paid');
      await page.keyboard.press('Escape');
      // A click on the title closes the dropdown for the picture (Escape alone may leave it fading).
      await dialog.getByText('New export schedule', { exact: true }).click();
      await page.waitForTimeout(300);
      await screenshot(c, page, 'export-schedule-form');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });

      // Listed with its next run; the API holds the relative filters as the server takes them.
      const row = page.getByRole('row').filter({ hasText: 'Monthly orders' });
      await row.getByText('Every month on day 1 at 02:00 · Asia/Shanghai').waitFor();
      await row.getByText('Not run yet').waitFor();
      const bob = await login(c.baseUrl, 'bob', 'demo-pass-1');
      const mine = await http(c.baseUrl, 'GET', '/api/export-schedules', { token: bob });
      const s = (mine.body as { items: Schedule[] }).items[0];
      scheduleId = s.id;
      assert.equal(s.cron, '0 2 1 * *');
      assert.equal(s.timeZone, 'Asia/Shanghai');
      assert.deepEqual(s.filters, {
        status: [1],
        createdFrom: { $relative: '-P1M', $startOf: 'month' },
        createdTo: { $relative: 'P0D', $startOf: 'month' },
      });
      assert.ok(s.nextRunAt);
      const next = (await row.getByRole('cell').nth(3).innerText()).trim();
      assert.ok(next.length > 5 && next !== '—', `next run shown (${next})`);
      assert.ok(next.includes('02:00') || next.includes('2:00'), `at 02:00 Shanghai (${next})`);
      await screenshot(c, page, 'export-schedules');

      // Run now: the message links to the new task, which the file list opens.
      await row.getByRole('button', { name: 'Run Monthly orders now' }).click();
      await page.getByRole('link', { name: 'open it in My files' }).click();
      await page.getByRole('heading', { name: 'My files and exports' }).waitFor();
      const after = await http(c.baseUrl, 'GET', `/api/export-schedules/${scheduleId}`, { token: bob });
      const taskId = (after.body as Schedule).lastTaskId;
      assert.ok(taskId, 'the run is recorded on the schedule');
      const drawer = page.getByRole('dialog');
      await drawer.getByText(taskId, { exact: true }).waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('row').filter({ hasText: 'order_export' }).first().waitFor();
      assert.equal(new URL(page.url()).search, '', 'closing the details drops ?task=');

      // Back on the schedules page: the last run and its file.
      await page.getByRole('navigation').getByRole('menuitem', { name: 'Export schedules' }).click();
      await row.getByRole('link', { name: 'Last file' }).waitFor();
      assert.equal(await row.getByText('Not run yet').count(), 0);
    } finally {
      await context.close();
    }
  });

  it('another user sees none of it; an admin sees it with its owner', async () => {
    assert.ok(scheduleId, 'the first test made a schedule');
    const dave = await login(c.baseUrl, 'dave', 'demo-pass-1');
    const hidden = await http(c.baseUrl, 'GET', `/api/export-schedules/${scheduleId}`, { token: dave });
    assert.equal(hidden.status, 404);

    const { context, page } = await c.open();
    try {
      await signIn(page, 'dave', 'demo-pass-1');
      await page.getByRole('navigation').getByRole('menuitem', { name: 'Export schedules' }).click();
      await page.getByText('No schedules yet.').waitFor();
      assert.equal(await page.getByText('Monthly orders').count(), 0);
    } finally {
      await context.close();
    }
    const admin = await c.open();
    try {
      await signIn(admin.page, 'admin', 'admin');
      await admin.page.getByRole('navigation').getByRole('menuitem', { name: 'Export schedules' }).click();
      const row = admin.page.getByRole('row').filter({ hasText: 'Monthly orders' });
      await row.getByRole('cell', { name: 'bob', exact: true }).waitFor();
    } finally {
      await admin.context.close();
    }
  });

  it('an admin adds a lifecycle job for a biz type, deletes it, and is told why a built-in one stays', async () => {
    const { context, page } = await c.open();
    try {
      await signIn(page, 'admin', 'admin');
      await page.getByRole('navigation').getByRole('menuitem', { name: 'Scheduled tasks' }).click();
      await page.getByRole('heading', { name: 'Scheduled tasks' }).waitFor();
      await page.getByRole('button', { name: 'New job' }).click();
      const dialog = page.getByRole('dialog', { name: 'New lifecycle job' });
      // A name the server would refuse is marked on its field before any request.
      await dialog.getByLabel('Name', { exact: true }).fill('Order Expiry');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText(/^Use lower case letters/).waitFor();
      await dialog.getByLabel('Name', { exact: true }).fill('order-archival');
      await dialog.getByLabel('Kind').click({ force: true });
      await page.getByTitle('Archival', { exact: true }).click();
      await choose(page, 'Biz types', 'order_export');
      await page.keyboard.press('Escape');
      await dialog.getByLabel('Tasks older than (days)').fill('7');
      await choose(page, 'Only tasks in these statuses', 'Cancelled');
      await page.keyboard.press('Escape');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });
      const row = page.getByRole('row').filter({ hasText: 'order-archival' });
      await row.getByText('order_export').waitFor();
      const jobs = await http(c.baseUrl, 'GET', '/api/scheduled-tasks', { token: c.adminToken });
      const job = (
        jobs.body as { items: { name: string; kind: string; rule: Record<string, unknown> }[] }
      ).items.find((j) => j.name === 'order-archival');
      assert.equal(job?.kind, 'archival');
      assert.deepEqual(job?.rule.bizTypes, ['order_export']);
      assert.equal(job?.rule.olderThanDays, 7);
      assert.deepEqual(job?.rule.statuses, ['CANCELLED']);

      await row.getByRole('button', { name: 'Delete order-archival' }).click();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByText('Job order-archival deleted').waitFor();
      await row.waitFor({ state: 'detached' });
      const gone = await http(c.baseUrl, 'GET', '/api/scheduled-tasks', { token: c.adminToken });
      assert.ok(!(gone.body as { items: { name: string }[] }).items.some((j) => j.name === 'order-archival'));

      // A built-in job: the server keeps it (409 BUILT_IN_JOB), and the admin reads why.
      await page
        .getByRole('row')
        .filter({ hasText: 'Deletes expired files' })
        .getByRole('button', { name: 'Delete expiry' })
        .click();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByText('expiry is a built-in job: it cannot be deleted. Disable it instead.').waitFor();
      await page.getByRole('row').filter({ hasText: 'Deletes expired files' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
