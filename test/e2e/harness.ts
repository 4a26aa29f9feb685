import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';

/**
 * The e2e harness: the built web console served by a real embedded node (temp data dir, free port,
 * small demo shop), driven by Debian's Chromium through playwright-core. One browser and one node
 * per test file; each test opens its own context (fresh storage: a new session).
 *
 * Under CI=true a missing Chromium fails the suite; elsewhere the suite is skipped.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function browserMissing(): string | false {
  if (fs.existsSync(CHROMIUM)) return false;
  if (process.env.CI === 'true')
    throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  return `no Chromium at ${CHROMIUM}`;
}

const ROOT = path.resolve(__dirname, '../..');

/** Builds web/dist unless it is up to date with web/src (scripts/web.mjs keeps a source hash). */
export function buildConsole(): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/web.mjs'), 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`web console build failed (${r.status})`);
}

export interface Console {
  node: TestNode;
  browser: Browser;
  baseUrl: string;
  /** Where this run's screenshots go (a temp dir; SCREENSHOTS_DIR=docs/console refreshes the README's). */
  shotsDir: string;
  adminToken: string;
  /** A fresh browser context (no session) at the console's origin, with downloads accepted. */
  open(opts?: {
    locale?: string;
    viewport?: { width: number; height: number };
  }): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

export async function startConsole(env: Record<string, string> = {}): Promise<Console> {
  buildConsole();
  const node = await startTestNode({ DEMO_ORDERS: '300', ...env });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The flags of the machine's own Chromium probe: no sandbox as root, no GPU, and no background
    // connections (the network is closed: Chromium would keep trying Google's hosts).
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const shotsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-e2e-shots-'));
  const adminToken = await login(node.baseUrl, 'admin', 'admin');
  return {
    node,
    browser,
    baseUrl: node.baseUrl,
    shotsDir,
    adminToken,
    async open({ locale = 'en-US', viewport = { width: 1280, height: 800 } } = {}) {
      const context = await browser.newContext({
        baseURL: node.baseUrl,
        locale,
        timezoneId: 'Asia/Shanghai',
        acceptDownloads: true,
        viewport,
      });
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      return { context, page };
    },
    async stop() {
      await browser.close().catch(() => undefined);
      await node.stop();
    },
  };
}

/** Saves a screenshot under the run's temp dir, and under SCREENSHOTS_DIR when set (docs/console). */
export async function screenshot(c: Console, page: Page, name: string): Promise<string> {
  const file = path.join(c.shotsDir, `${name}.png`);
  await page.screenshot({ path: file });
  const docs = process.env.SCREENSHOTS_DIR;
  if (docs) {
    const dir = path.resolve(ROOT, docs);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(file, path.join(dir, `${name}.png`));
  }
  return file;
}

/** Signs in through the sign-in page and waits for the first page of the console. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel(/^(Username|用户名)$/).fill(username);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|登\s*录)$/ }).click();
  await page.getByRole('navigation').waitFor();
}

/** An admin's grant through the REST API (test setup: no grants are seeded). */
export async function grant(
  c: Console,
  body: {
    bizType: string;
    type: 'ROLE' | 'UNIT' | 'USER';
    subject: string;
    actions: string[];
    columns?: string[];
  },
): Promise<{ id: string }> {
  const r = await http(c.baseUrl, 'POST', '/api/permissions', { token: c.adminToken, body });
  if (r.status !== 201 && r.status !== 200)
    throw new Error(`grant failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string };
}

/**
 * Picks an option of an antd Select found by its label, as a keyboard user would: focus, type the
 * option's text (the console's selects are searchable), Enter.
 */
export async function choose(page: Page, label: string | RegExp, option: string): Promise<void> {
  const box = page.getByRole('combobox', { name: label });
  await box.focus();
  await box.fill(option);
  await page.keyboard.press('Enter');
}
