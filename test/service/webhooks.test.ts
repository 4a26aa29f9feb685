import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import httpServer, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'moleculer';
import Database from 'better-sqlite3';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { uploadMultipart } from '../support/uploads';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(2000)]);

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  answered: number;
}

/** A webhook receiver on a fixed port whose answer the test chooses; it can go down and come back. */
class Receiver {
  received: Received[] = [];
  answer = 200;
  private server: Server | null = null;
  constructor(public port = 0) {}
  async up(): Promise<void> {
    this.server = httpServer.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
          answered: this.answer,
        });
        res.writeHead(this.answer).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async down(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
    this.server = null;
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ENV = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_BASE_MS: '150',
  WEBHOOK_RETRY_MAX_DELAY_MS: '400',
  LOG_RELAY_INTERVAL_MS: '50',
};

/**
 * Webhooks end to end on the embedded node (API.md "Notifications"): an upload's files.uploaded
 * event reaches the bus and a webhook whose receiver is down, then failing, then healthy; the
 * delivery is signed, keeps its id across attempts, is accepted once, and the log shows it. A
 * delivery still pending when the node stops is sent by the next node on the same data.
 */
describe('webhooks: signed, retried, durable deliveries', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-webhooks-'));
  let node: TestNode;
  let admin = '';
  const receiver = new Receiver();
  const busEvents: Record<string, unknown>[] = [];
  const call = (method: string, url: string, body?: unknown) =>
    http(node.baseUrl, method, url, { token: admin, body });
  const upload = async () => {
    const r = await uploadMultipart(node.baseUrl, admin, [['bizType', 'invoice']], {
      filename: 'a.pdf',
      contentType: 'application/pdf',
      body: PDF,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as { id: string };
  };
  const deliveries = async (id: string) =>
    (await call('GET', `/api/webhooks/${id}/deliveries`)).body.items as {
      id: string;
      status: string;
      attempts: number;
      lastStatusCode: number | null;
      nextAttemptAt: string | null;
    }[];

  before(async () => {
    node = await startTestNode({ ...ENV, DATA_DIR: dataDir });
    node.broker.createService({
      name: 'busSpy',
      events: {
        'files.uploaded': {
          handler: (ctx: Context<Record<string, unknown>>) => {
            busEvents.push(ctx.params);
          },
        },
      },
    });
    admin = await login(node.baseUrl, 'admin', 'admin');
    // A port that nobody listens on yet: the receiver starts "down".
    await receiver.up();
    await receiver.down();
  });
  after(async () => {
    await node?.stop();
    await receiver.down();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 400 for unknown events and a URL that is not http(s)', async () => {
    assert.equal(
      (await call('POST', '/api/webhooks', { url: 'ftp://x.example/', events: ['files.uploaded'] })).status,
      400,
    );
    assert.equal(
      (await call('POST', '/api/webhooks', { url: 'https://x.example/', events: ['nope'] })).status,
      400,
    );
  });

  it('down, then 500, then 200: one accepted, signed delivery; the log shows every attempt', async () => {
    const created = await call('POST', '/api/webhooks', {
      url: `http://127.0.0.1:${receiver.port}/hook`,
      events: ['files.uploaded'],
      bizTypes: ['invoice'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { id, secret } = created.body as { id: string; secret: string };
    assert.equal(created.headers.get('location'), `/api/webhooks/${id}`);
    assert.match(secret, /^whsec_/);
    assert.equal(
      (await call('GET', '/api/webhooks')).body.items[0].secret,
      undefined,
      'the secret is shown once',
    );
    const db = new Database(path.join(dataDir, 'ftc.sqlite'), { readonly: true });
    try {
      const stored = (db.prepare('SELECT secret FROM webhooks WHERE id = ?').get(id) as { secret: string })
        .secret;
      assert.match(stored, /^v1\./, 'stored encrypted');
      assert.ok(!stored.includes(secret.slice(6)), 'the database does not hold the secret');
    } finally {
      db.close();
    }

    const task = await upload();
    // Down: attempts fail without a status code.
    await until('a failed attempt', async () => (await deliveries(id)).find((d) => d.attempts >= 1));
    receiver.answer = 500;
    await receiver.up();
    await until('a 500 answered', async () => receiver.received.length >= 1);
    receiver.answer = 200;
    const done = await until('the delivery', async () =>
      (await deliveries(id)).find((d) => d.status === 'DELIVERED'),
    );
    assert.ok(done.attempts >= 3, `attempts: ${done.attempts}`);
    assert.equal(done.lastStatusCode, 200);
    assert.equal(done.nextAttemptAt, null);

    const accepted = receiver.received.filter((r) => r.answered === 200);
    assert.equal(accepted.length, 1, 'accepted exactly once');
    assert.ok(receiver.received.some((r) => r.answered === 500));
    for (const r of receiver.received) {
      assert.equal(r.headers['x-ftc-delivery'], done.id, 'one delivery id across attempts');
      assert.equal(r.headers['x-ftc-event'], 'files.uploaded');
      const expected = `sha256=${crypto.createHmac('sha256', secret).update(r.body).digest('hex')}`;
      assert.equal(r.headers['x-ftc-signature'], expected);
    }
    const body = JSON.parse(accepted[0].body) as { id: string; type: string; data: { task: { id: string } } };
    assert.equal(body.type, 'files.uploaded');
    assert.equal(body.data.task.id, task.id);

    // The same event on the bus, with its event id and the task.
    const onBus = await until('files.uploaded on the bus', async () =>
      busEvents.find((e) => (e.task as { id: string } | null)?.id === task.id),
    );
    assert.equal(onBus.eventId, body.id);
    assert.equal(typeof onBus.occurredAt, 'string');
  });

  it('a delivery pending when the node stops is delivered by the next node on the same data', async () => {
    receiver.answer = 503;
    receiver.received = [];
    const created = await call('POST', '/api/webhooks', {
      url: `http://127.0.0.1:${receiver.port}/again`,
      events: ['files.uploaded'],
    });
    const { id } = created.body as { id: string };
    await upload();
    await until('a 503 answered', async () => receiver.received.some((r) => r.url === '/again'));
    await node.stop();
    receiver.answer = 200;
    node = await startTestNode({ ...ENV, DATA_DIR: dataDir });
    admin = await login(node.baseUrl, 'admin', 'admin');
    const done = await until('the delivery after the restart', async () =>
      (await deliveries(id)).find((d) => d.status === 'DELIVERED'),
    );
    assert.ok(done.attempts >= 2);
    assert.equal(receiver.received.filter((r) => r.url === '/again' && r.answered === 200).length, 1);
  });
});
