import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { browserMissing, screenshot, signIn, startConsole, type Console } from './harness';

const skip = browserMissing();

describe('e2e: sign in and role-aware navigation', { skip }, () => {
  let c: Console;
  before(async () => {
    c = await startConsole();
  });
  after(async () => {
    await c?.stop();
  });

  it('serves the console at / and keeps /api answers JSON', async () => {
    const page = await fetch(`${c.baseUrl}/some/deep/link`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, 'index.html names its script');
    const js = await fetch(c.baseUrl + asset, { headers: { 'accept-encoding': 'br, gzip' } });
    await js.arrayBuffer();
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    const api = await fetch(`${c.baseUrl}/api/no-such-route`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /json/);
  });

  it('refuses a wrong password, signs an admin in and shows the admin pages', async () => {
    const { context, page } = await c.open();
    try {
      await page.goto('/');
      await page.getByLabel('Username').waitFor();
      await screenshot(c, page, 'sign-in');
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill('wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();

      await signIn(page, 'admin', 'admin');
      const nav = page.getByRole('navigation');
      for (const name of ['My files and exports', 'New export', 'Upload', 'Biz types', 'Operation log'])
        await nav.getByRole('menuitem', { name }).waitFor();
      // The token is in this tab's sessionStorage, never in a cookie.
      assert.deepEqual(await context.cookies(), []);
      assert.ok(await page.evaluate("sessionStorage.getItem('ftc.token')"));
    } finally {
      await context.close();
    }
  });

  it('shows an ordinary user only the user pages, and "not allowed" for an admin page', async () => {
    const { context, page } = await c.open({ locale: 'zh-CN' });
    try {
      await signIn(page, 'bob', 'demo-pass-1');
      const nav = page.getByRole('navigation');
      await nav.getByRole('menuitem', { name: '我的文件与导出' }).waitFor();
      assert.equal(await nav.getByRole('menuitem', { name: '业务类型' }).count(), 0);
      await page.goto('/admin/biz-types');
      await page.getByText('无权访问').waitFor();
      // Switch the language: remembered for the next visit.
      await page.getByText('English', { exact: true }).click();
      assert.ok(await page.getByRole('radio', { name: 'English' }).isChecked());
      await page.getByText('Not allowed').waitFor();
      await page.reload();
      await page.getByText('Not allowed').waitFor();
    } finally {
      await context.close();
    }
  });

  it('returns to sign-in when the session ends (401)', async () => {
    const { context, page } = await c.open();
    try {
      await signIn(page, 'bob', 'demo-pass-1');
      await page.evaluate("sessionStorage.setItem('ftc.token', 'not-a-token')");
      await page.reload();
      await page.getByLabel('Username').waitFor();
    } finally {
      await context.close();
    }
  });
});
