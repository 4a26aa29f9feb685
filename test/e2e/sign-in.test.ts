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
      // An unknown address says so and leads back to the person's files.
      await page.goto('/no/such/page');
      await page.getByText('Page not found').waitFor();
      await page.getByRole('button', { name: 'Back to my files' }).click();
      await page.getByRole('heading', { level: 1, name: 'My files and exports' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('fits a phone: the menu opens from the header, the sign-in panel and the page stay in the window', async () => {
    const { context, page } = await c.open({ viewport: { width: 375, height: 740 } });
    const fits = async () =>
      page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
    try {
      await page.goto('/');
      await page.getByLabel('Username').waitFor();
      assert.ok(await fits(), 'the sign-in panel is no wider than the window');
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill('admin');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'My files and exports' }).waitFor();
      assert.ok(await fits(), 'the files page is no wider than the window (its table scrolls inside)');
      // The menu is closed on a phone, and opens from the header.
      const nav = page.getByRole('navigation');
      assert.equal(await nav.isVisible(), false);
      await page.getByRole('button', { name: 'Menu' }).click();
      await nav.getByRole('menuitem', { name: 'New export' }).click();
      await page.getByRole('heading', { level: 1, name: 'New export' }).waitFor();
      await nav.waitFor({ state: 'hidden' });
      await screenshot(c, page, 'new-export-narrow');
      // The closed menu leaves no grey band (its shadow once showed down the left edge), and a
      // table without room scrolls inside the page, not the window.
      assert.equal(
        await page.evaluate("getComputedStyle(document.querySelector('aside')).boxShadow"),
        'none',
      );
      await page.goto('/admin/scheduled-tasks');
      await page.getByRole('cell', { name: /^archival/ }).waitFor();
      assert.ok(await fits(), 'the scheduled tasks page is no wider than the window');
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
