import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Middleware, ServiceBroker } from 'moleculer';
import { loadAppConfig, type AppConfig } from '../../mixins/config/app-config';
import { createNode } from '../../main';

export interface TestNode {
  broker: ServiceBroker;
  config: AppConfig;
  baseUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A whole node in this process on a temp data dir and a free port, configured exactly as
 * production would be from the given environment (defaults: the embedded default, quiet logs).
 */
export async function startTestNode(
  env: Record<string, string> = {},
  middlewares: Middleware[] = [],
): Promise<TestNode> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-test-'));
  const config = loadAppConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    DEMO_ORDERS: '1000',
    ...env,
  });
  const broker = createNode(config, middlewares);
  // Tests own the process: the broker must not exit it on signals.
  broker.options.skipProcessEventRegistration = true;
  await broker.start();
  const api = broker.getLocalService('api') as unknown as { server?: Server } | undefined;
  const port = api?.server ? (api.server.address() as AddressInfo).port : 0;
  // moleculer-web builds its aliases a moment after services appear: wait until the routes answer.
  if (api && config.services.includes('directory'))
    await waitForRoute(`http://127.0.0.1:${port}`, '/api/auth/login');
  return {
    broker,
    config,
    dataDir,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await broker.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Http {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function http(
  baseUrl: string,
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Http> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(baseUrl + url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const r = await http(baseUrl, 'POST', '/api/auth/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

/** Polls until a route stops answering 404 (the gateway has published it), or throws after `ms`. */
export async function waitForRoute(baseUrl: string, url: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(baseUrl + url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      await r.arrayBuffer();
      // 404 before the aliases exist, 503 while the gateway is not ready yet (API.md "Readiness").
      if (r.status !== 404 && r.status !== 503) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} was not published within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
