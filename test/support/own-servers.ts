import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * A Redis or NATS server of a test's own (the binaries installed beside the shared servers), on a
 * loopback port, for tests that stop, kill and restart them: never the shared servers.
 */
export interface OwnServer {
  url: string;
  port: number;
  /** Stops the server: SIGKILL loses everything Redis holds (it runs without persistence). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (empty, for Redis). */
  start(): Promise<void>;
  readonly running: boolean;
}

const COMMANDS = {
  redis: (port: number) => ({
    bin: 'redis-server',
    // No RDB, no AOF: a restart comes back empty, as a Redis that lost its data does.
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    url: `redis://127.0.0.1:${port}`,
  }),
  nats: (port: number) => ({
    bin: 'nats-server',
    args: ['-a', '127.0.0.1', '-p', String(port)],
    url: `nats://127.0.0.1:${port}`,
  }),
};

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function ownServer(kind: 'redis' | 'nats', port: number): Promise<OwnServer> {
  const { bin, args, url } = COMMANDS[kind](port);
  let child: ChildProcess | null = null;
  const server: OwnServer = {
    url,
    port,
    get running() {
      return child !== null;
    },
    async start() {
      if (child) return;
      const c = spawn(bin, args, { stdio: 'ignore' });
      child = c;
      c.once('exit', () => {
        if (child === c) child = null;
      });
      const deadline = Date.now() + 10_000;
      while (!(await listening(port))) {
        if (Date.now() > deadline || c.exitCode !== null) throw new Error(`${bin} did not start on ${port}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      const c = child;
      if (!c) return;
      child = null;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await exited;
      while (await listening(port)) await new Promise((r) => setTimeout(r, 50));
    },
  };
  await server.start();
  return server;
}
