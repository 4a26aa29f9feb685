import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { http as call } from '../support/embedded-node';
import { browserMissing, choose, screenshot, signIn, startConsole, type Console } from './harness';

const skip = browserMissing();

/** Opens an admin page from the menu and waits for its heading. */
async function openPage(page: Page, menu: string): Promise<void> {
  await page.getByRole('navigation').getByRole('menuitem', { name: menu }).click();
  await page.getByRole('heading', { level: 1, name: menu }).waitFor();
}

/** Polls `ok` for up to `ms`. */
async function eventually(ok: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  for (const until = Date.now() + ms; !(await ok());) {
    assert.ok(Date.now() < until, what);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('e2e: service accounts and webhooks', { skip }, () => {
  let c: Console;
  // A webhook receiver on this machine (the node allows private targets for this test).
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  before(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    c = await startConsole({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '200' });
  });
  after(async () => {
    await c?.stop();
    receiver.close();
  });

  it('creates a service account whose token is shown once and works, then revokes it', async () => {
    const { context, page } = await c.open();
    try {
      await signIn(page, 'admin', 'admin');
      await openPage(page, 'Service accounts');
      await page.getByText('No service accounts yet.').waitFor();
      await page.getByRole('button', { name: 'New service account' }).click();
      const form = page.getByRole('dialog').getByRole('form', { name: 'New service account' });
      // Required fields are marked on the field, not in a message.
      await page.getByRole('button', { name: 'Save' }).click();
      await form.getByText('Required').waitFor();
      await form.getByLabel('Name').fill('erp-sync');
      await choose(page, 'Roles', 'SALES');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Save' }).click();

      const shown = page.getByRole('dialog').filter({ hasText: 'Token of erp-sync' });
      await shown.getByText('it is shown this once').waitFor();
      const token = ((await shown.getByLabel('Token').textContent()) ?? '').trim();
      assert.ok(token.length > 20, 'the token is on the screen');
      await shown.getByRole('button', { name: 'Copy' }).waitFor();
      await screenshot(c, page, 'admin-service-account-token');
      // (GET /api/auth/me answers 404 USER_NOT_FOUND for a service account: another route here.)
      const listed = await call(c.baseUrl, 'GET', '/api/file-tasks', { token });
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      await shown.getByRole('button', { name: 'I have copied it' }).click();

      const row = page.getByRole('row').filter({ hasText: 'erp-sync' });
      await row.getByText('SALES', { exact: true }).waitFor();
      assert.equal(await page.getByText(token).count(), 0, 'the list never shows the token');
      await screenshot(c, page, 'admin-service-accounts');
      await row.getByRole('button', { name: 'Revoke erp-sync' }).click();
      await page.getByRole('tooltip').getByRole('button', { name: 'Revoke' }).click();
      await page.getByText('No service accounts yet.').waitFor();
      await eventually(
        async () => (await call(c.baseUrl, 'GET', '/api/file-tasks', { token })).status === 401,
        'the revoked token is refused',
      );
    } finally {
      await context.close();
    }
  });

  it('creates a webhook (secret shown once), shows its signed deliveries, then deletes it', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/ftc`;
    const { context, page } = await c.open({ locale: 'zh-CN' });
    try {
      await signIn(page, 'admin', 'admin');
      await page.getByText('English', { exact: true }).click();
      await openPage(page, 'Webhooks');
      await page.getByRole('button', { name: 'New webhook' }).click();
      const dialog = page.getByRole('dialog');
      // The API's refusal lands on the field it names.
      await dialog.getByLabel('URL').fill('ftp://files.example.com/in');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText('url must use http or https').waitFor();
      assert.equal(await dialog.getByLabel('URL').getAttribute('aria-invalid'), 'true');
      await dialog.getByLabel('URL').fill(url);
      await dialog.getByRole('checkbox', { name: 'files.uploaded' }).check();
      await dialog.getByRole('button', { name: 'Save' }).click();

      const shown = page.getByRole('dialog').filter({ hasText: 'Signing secret of the new webhook' });
      const secret = ((await shown.getByLabel('Signing secret').textContent()) ?? '').trim();
      assert.match(secret, /^whsec_/);
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      const row = page.getByRole('row').filter({ hasText: url });
      await row.getByText('files.uploaded', { exact: true }).waitFor();

      // An upload makes a files.uploaded event; its delivery is signed with the secret shown.
      const form = new FormData();
      form.append('bizType', 'attachment');
      form.append('file', new Blob(['hello hooks'], { type: 'text/plain' }), 'hook.txt');
      const up = await fetch(`${c.baseUrl}/api/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.adminToken}` },
        body: form,
      });
      assert.equal(up.status, 201);
      await eventually(async () => received.length > 0, 'the receiver got the delivery', 30_000);
      const got = received[0];
      const expected = crypto.createHmac('sha256', secret).update(got.body).digest('hex');
      assert.equal(got.headers['x-ftc-signature'], `sha256=${expected}`);

      await row.getByRole('button', { name: 'Deliveries' }).click();
      const drawer = page.getByRole('dialog').filter({ hasText: `Deliveries to ${url}` });
      const delivered = drawer
        .getByRole('row')
        .filter({ hasText: 'files.uploaded' })
        .filter({ hasText: 'Delivered' });
      await eventually(async () => {
        if ((await delivered.count()) > 0) return true;
        await drawer.getByRole('button', { name: 'Refresh' }).click();
        return false;
      }, 'the delivery is listed as delivered');
      await delivered.getByText('200', { exact: true }).waitFor();
      await screenshot(c, page, 'admin-webhook-deliveries');
      await drawer.getByRole('button', { name: 'Close' }).click();

      await row.getByRole('button', { name: `Delete the webhook to ${url}` }).click();
      await page.getByRole('tooltip').getByRole('button', { name: 'Delete' }).click();
      await page.getByText('No webhooks yet.').waitFor();
    } finally {
      await context.close();
    }
  });
});
