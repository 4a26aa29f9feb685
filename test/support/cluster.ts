import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { inspect } from 'node:util';
import { http } from './embedded-node';

const ROOT = path.resolve(__dirname, '../..');

export interface NodeProcess {
  name: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts `main.ts` as its own OS process with the given environment (on top of PATH only). */
/**
 * Starts main.ts as its own process; with FTC_TEST_EXIT_AFTER_READS or FTC_TEST_CHUNK_DELAY_MS in
 * `env` the node is test/support/crashing-node.ts instead, which injects that fault.
 */
export function startNodeProcess(name: string, env: Record<string, string>): NodeProcess {
  const faulty = env.FTC_TEST_EXIT_AFTER_READS || env.FTC_TEST_CHUNK_DELAY_MS;
  const entry = faulty ? 'test/support/crashing-node.ts' : 'main.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, output: () => out, exited };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` until it returns a value, or throws with the nodes' output after `ms`. `check`
 * returns null for "not yet"; an error it throws (a node still starting) is retried, and on the
 * deadline the last one is reported in full (message and stack, and as `cause`), never as a bare
 * "timed out". A verdict belongs after the wait: return what was seen and assert on it there, so a
 * wrong answer fails at once instead of being retried until the deadline.
 */
export async function eventually<T>(
  what: string,
  ms: number,
  check: () => Promise<T | null>,
  nodes: NodeProcess[] = [],
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    const dead = nodes.find((n) => n.child.exitCode !== null);
    if (dead)
      throw new Error(
        `${dead.name} exited with ${dead.child.exitCode} while waiting for ${what}\n${dead.output().slice(-3000)}`,
      );
    try {
      const v = await check();
      if (v !== null) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const logs = nodes.map((n) => `--- ${n.name}\n${n.output().slice(-3000)}`).join('\n');
      const lastError =
        last === null ? 'none failed' : last instanceof Error ? (last.stack ?? last.message) : inspect(last);
      throw new Error(`timed out waiting for ${what}; the last check: ${lastError}\n${logs}`, {
        cause: last,
      });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function stopNode(node: NodeProcess, timeoutMs = 20_000): Promise<number | null> {
  if (node.child.exitCode !== null) return node.child.exitCode;
  node.child.kill('SIGTERM');
  const timer = setTimeout(() => node.child.kill('SIGKILL'), timeoutMs);
  const code = await node.exited;
  clearTimeout(timer);
  return code;
}

/**
 * The environment every node of one test cluster shares: its own NATS namespace (parallel runs on
 * one NATS never see each other), shared secrets, the gateway's port, quiet logs.
 */
export function clusterEnv(p: {
  nats: string;
  databaseUrl: string;
  port: number;
  dataDir: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    NAMESPACE: `t${crypto.randomBytes(4).toString('hex')}`,
    TRANSPORTER: p.nats,
    DATABASE_URL: p.databaseUrl,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    LOG_CHAIN_KEY: crypto.randomBytes(32).toString('hex'),
    ADMIN_PASSWORD: CLUSTER_ADMIN_PASSWORD,
    DATA_DIR: p.dataDir,
    LOG_LEVEL: 'warn',
    PORT: String(p.port),
    HOST: '127.0.0.1',
    ...p.extra,
  };
}

/** The password clusterEnv gives the first admin. */
export const CLUSTER_ADMIN_PASSWORD = 'cluster-admin-pass';

/** Waits until /api/health lists `n` nodes running `service`; answers their ids (shown to an ADMIN only). */
export async function serviceNodes(
  base: string,
  service: string,
  n: number,
  nodes: NodeProcess[] = [],
): Promise<string[]> {
  const token = await adminToken(base);
  return eventually(
    `${n} ${service} nodes`,
    60_000,
    async () => {
      const r = await http(base, 'GET', '/api/health', { token });
      const found = (r.body?.services as { name: string; nodes: string[] }[] | undefined)?.find(
        (x) => x.name === service,
      );
      return (found?.nodes.length ?? 0) === n ? (found?.nodes ?? []) : null;
    },
    nodes.filter((x) => x.child.exitCode === null && x.child.signalCode === null),
  );
}

/** Signs in as the cluster's first admin once the login route answers. */
export function adminToken(base: string): Promise<string> {
  return eventually('admin login', 60_000, async () => {
    const r = await http(base, 'POST', '/api/auth/login', {
      body: { username: 'admin', password: CLUSTER_ADMIN_PASSWORD },
    });
    return r.status === 200 ? (r.body.token as string) : null;
  });
}
