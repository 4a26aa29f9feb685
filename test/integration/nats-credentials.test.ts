import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { ServiceBroker } from 'moleculer';
import { connect } from 'nats';
import { brokerOptions } from '../../moleculer.config';
import { loadAppConfig } from '../../mixins/config/app-config';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';
import { freePort } from '../support/cluster';

const NATS_SERVER = '/usr/sbin/nats-server';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-nats-creds-'));

/** Our own nats-server on a spare port, with the given auth flags (the shared one has none). */
async function natsServer(args: string[]): Promise<{ port: number; stop: () => void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), ...args], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s.end() && true));
      s.once('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop: () => child.kill('SIGKILL') };
}

async function brokerPair(env: Record<string, string>) {
  const make = (nodeId: string) =>
    new ServiceBroker({
      ...brokerOptions(
        loadAppConfig({ ...env, NODE_ID: nodeId, NAMESPACE: 'creds', LOG_LEVEL: 'fatal', DATA_DIR: dataDir }),
      ),
      logger: false,
    });
  const a = make('a');
  const b = make('b');
  b.createService({ name: 'echo', actions: { hi: { handler: () => 'hi' } } });
  await Promise.all([a.start(), b.start()]);
  await a.waitForServices('echo', 10_000);
  try {
    return await a.call('echo.hi', {}, asSystem());
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

describe(
  'transporter credentials (TRANSPORTER user:password, NATS_TOKEN)',
  { skip: !fs.existsSync(NATS_SERVER) && 'no nats-server' },
  () => {
    const stops: (() => void)[] = [];
    let userPort: number;
    let tokenPort: number;
    before(async () => {
      const u = await natsServer(['--user', 'ftc', '--pass', 'nats-secret']);
      const t = await natsServer(['--auth', 'nats-token-123']);
      stops.push(u.stop, t.stop);
      userPort = u.port;
      tokenPort = t.port;
    });
    after(() => {
      stops.forEach((s) => s());
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('nodes with the URL credentials talk; a client without them is refused by the server', async () => {
      assert.equal(await brokerPair({ TRANSPORTER: `nats://ftc:nats-secret@127.0.0.1:${userPort}` }), 'hi');
      await assert.rejects(connect({ servers: `127.0.0.1:${userPort}`, reconnect: false }), /Authorization/i);
    });

    it('nodes with NATS_TOKEN talk; a client with a wrong token is refused', async () => {
      assert.equal(
        await brokerPair({ TRANSPORTER: `nats://127.0.0.1:${tokenPort}`, NATS_TOKEN: 'nats-token-123' }),
        'hi',
      );
      await assert.rejects(
        connect({ servers: `127.0.0.1:${tokenPort}`, token: 'guess', reconnect: false }),
        /Authorization/i,
      );
    });

    it('a TLS file that does not exist stops the node at start with a configuration error', () => {
      assert.throws(
        () => loadAppConfig({ TRANSPORTER: 'nats://127.0.0.1:4222', NATS_TLS_CA_FILE: '/nope/ca.pem' }),
        /NATS_TLS_CA_FILE: no file at \/nope\/ca.pem/,
      );
    });
  },
);
