import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { http, login } from '../support/embedded-node';
import { browserMissing, screenshot, signIn, startConsole, type Console } from './harness';

const skip = browserMissing();

/** Uploads a small file of biz type `attachment` as `token`'s user; answers the task id. */
async function upload(c: Console, token: string, name: string): Promise<string> {
  const form = new FormData();
  form.append('bizType', 'attachment');
  form.append('file', new Blob([`hello from ${name}`], { type: 'text/plain' }), name);
  const res = await fetch(`${c.baseUrl}/api/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await res.json()) as { id: string };
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.id;
}

async function visibleTaskIds(c: Console, token: string): Promise<string[]> {
  const r = await http(c.baseUrl, 'GET', '/api/file-tasks?bizType=attachment&limit=200', { token });
  assert.equal(r.status, 200);
  return (r.body.items as { id: string }[]).map((t) => t.id);
}

/** Polls `ok` (a page state that follows an answer) for up to 10 s. */
async function waitFor(ok: () => Promise<boolean>): Promise<void> {
  for (const until = Date.now() + 10_000; !(await ok());) {
    assert.ok(Date.now() < until, 'the page reached the expected state');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Opens an admin page from the menu and waits for its heading. */
async function openPage(page: Page, menu: string): Promise<void> {
  await page.getByRole('navigation').getByRole('menuitem', { name: menu }).click();
  await page.getByRole('heading', { level: 1, name: menu }).waitFor();
}

describe('e2e: admin pages', { skip }, () => {
  let c: Console;
  before(async () => {
    c = await startConsole();
  });
  after(async () => {
    await c?.stop();
  });

  it('grants a unit (East Region, whole subtree) through the tree, and bob then sees the East tasks only', async () => {
    // carol works in Shanghai Store (inside East Region), dave in South Region; bob in East Region.
    const carolTask = await upload(c, await login(c.baseUrl, 'carol', 'demo-pass-1'), 'carol.txt');
    const daveTask = await upload(c, await login(c.baseUrl, 'dave', 'demo-pass-1'), 'dave.txt');
    const bob = await login(c.baseUrl, 'bob', 'demo-pass-1');
    assert.deepEqual(await visibleTaskIds(c, bob), [], 'no grant yet: bob sees none of them');

    const { context, page } = await c.open();
    try {
      await signIn(page, 'admin', 'admin');
      await openPage(page, 'Permissions');
      // antd selects by keyboard: type to filter, Enter to choose.
      await page.getByLabel('Biz type').fill('attachment');
      await page.keyboard.press('Enter');
      await page.getByText(/No grants for this biz type/).waitFor();

      await page.getByRole('button', { name: 'Add grant' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('radio', { name: 'Org unit' }).check();
      // The subject from the org tree; the whole-subtree rule is spelled out with the units it reaches.
      await dialog.getByRole('group', { name: 'Org unit' }).getByText('East Region', { exact: true }).click();
      await dialog
        .getByText('This grant applies to people in: East Region, Hangzhou Store, Shanghai Store.')
        .waitFor();
      await dialog.getByRole('checkbox', { name: 'Download' }).check();
      // Scope: only tasks created in East Region or below (the tree again, as a drop-down).
      await dialog.getByLabel('Scope unit').fill('East');
      // The drop-down (the last tree on the page) lists the matching units by their names.
      await page.getByTitle('East Region', { exact: true }).last().click();
      await screenshot(c, page, 'admin-permissions-grant');
      await dialog.getByRole('button', { name: 'Grant' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const row = page.getByRole('row').filter({ hasText: 'East Region' });
      await row.filter({ hasText: 'Org unit' }).waitFor();
      await screenshot(c, page, 'admin-permissions');
    } finally {
      await context.close();
    }

    const seen = await visibleTaskIds(c, bob);
    assert.ok(seen.includes(carolTask), 'the grant covers Shanghai Store (inside East Region)');
    assert.ok(!seen.includes(daveTask), 'the scope leaves South Region out');
  });

  it('finds that grant in the operation log (as the auditor) and verifies the chain', async () => {
    const { context, page } = await c.open();
    try {
      await signIn(page, 'erin', 'demo-pass-1');
      await openPage(page, 'Operation log');
      await page.getByLabel('Action').fill('PERMISSION_CHANGED');
      await page.getByLabel('Biz type').fill('attachment');
      await page.keyboard.press('Enter');
      const entry = page.getByRole('row').filter({ hasText: 'PERMISSION_CHANGED' });
      // The log is written through an outbox: search again until the entry has arrived.
      for (let i = 0; (await entry.count()) === 0; i++) {
        assert.ok(i < 40, 'the grant reached the operation log');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForTimeout(250);
      }
      assert.equal(await entry.count(), 1);
      await entry.getByRole('button', { name: /^Details of PERMISSION_CHANGED/ }).click();
      const drawer = page.getByRole('dialog');
      await drawer.getByText('"GRANTED"').waitFor();
      await drawer.getByText('"u-east"').first().waitFor();
      await screenshot(c, page, 'admin-logs-detail');
      await drawer.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('button', { name: 'Verify chain' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /The log chain is intact: \d+ entries checked\./ })
        .waitFor();
      await screenshot(c, page, 'admin-logs');
    } finally {
      await context.close();
    }
  });

  it('shows each admin page; biz type errors land on their field and a stale save says so', async () => {
    const { context, page } = await c.open();
    try {
      await signIn(page, 'admin', 'admin');

      await openPage(page, 'Biz types');
      await page.getByRole('button', { name: 'Edit order_export', exact: true }).click();
      const key = page.getByLabel('Key of column 1', { exact: true });
      await key.fill('Bad-Key');
      await page.getByRole('button', { name: 'Save' }).click();
      // The API's data.field (columns[0].key) marks the field itself, not only a message.
      await page.getByRole('alert').filter({ hasText: 'columns[0].key' }).first().waitFor();
      assert.equal(await key.getAttribute('aria-invalid'), 'true');
      await screenshot(c, page, 'admin-biz-type-editor');
      await key.fill('order_no');
      // Someone else saves meanwhile: this editor's version is stale and the save answers 409.
      const current = await http(c.baseUrl, 'GET', '/api/biz-types/order_export', { token: c.adminToken });
      const { code: _code, updatedAt: _at, ...body } = current.body as Record<string, unknown>;
      const other = await http(c.baseUrl, 'PUT', '/api/biz-types/order_export', {
        token: c.adminToken,
        body: { ...body, name: 'Orders (renamed elsewhere)' },
      });
      assert.equal(other.status, 200, JSON.stringify(other.body));
      await page.getByRole('button', { name: 'Save' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'Someone else saved this biz type meanwhile' })
        .waitFor();
      await page.getByRole('button', { name: 'Load the current version' }).click();
      await waitFor(
        async () =>
          (await page.getByLabel('Name', { exact: true }).inputValue()) === 'Orders (renamed elsewhere)',
      );
      await page.getByRole('button', { name: 'Cancel' }).click();
      await screenshot(c, page, 'admin-biz-types');

      await openPage(page, 'Directory');
      await page.getByRole('cell', { name: 'carol', exact: true }).waitFor();
      await screenshot(c, page, 'admin-directory');

      await openPage(page, 'Scheduled tasks');
      await page.getByRole('button', { name: 'Edit the rule of archival' }).click();
      const rule = page.getByRole('dialog');
      await rule.getByText('Every day at 02:30', { exact: true }).waitFor();
      await rule.getByLabel('Cron').fill('*/15 * * * *');
      await rule.getByText('Every 15 minutes', { exact: true }).waitFor();
      await screenshot(c, page, 'admin-scheduled-tasks');
      await rule.getByLabel('Cron').fill('61 * * * *');
      await rule.getByText('This cron is not valid').waitFor();
      await rule.getByRole('button', { name: 'Cancel' }).click();
    } finally {
      await context.close();
    }
  });
});
