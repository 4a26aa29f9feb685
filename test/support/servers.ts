import net from 'node:net';

/**
 * Integration and cluster suites need real servers. A suite whose server is not configured or not
 * reachable is skipped on a developer machine, and fails under CI=true: CI must never go green
 * because nothing ran.
 */
export type ServerName = 'mysql' | 'redis' | 'nats';

const VARS: Record<ServerName, string> = {
  mysql: 'TEST_MYSQL_URL',
  redis: 'TEST_REDIS_URL',
  nats: 'TEST_NATS_URL',
};

function reachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || { 'mysql:': 3306, 'redis:': 6379, 'nats:': 4222 }[u.protocol] || 0);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves each server's URL, or a skip reason. Under CI=true a missing server throws, which fails
 * the suite. Use as: `const s = await servers('mysql'); describe('x', { skip: s.skip }, ...)`.
 */
export async function servers(
  ...names: ServerName[]
): Promise<{ skip: string | false; url: Record<ServerName, string> }> {
  const url = {} as Record<ServerName, string>;
  for (const name of names) {
    const value = process.env[VARS[name]];
    const problem = !value
      ? `${VARS[name]} is not set`
      : (await reachable(value))
        ? null
        : `${name} at ${value} does not answer`;
    if (problem) {
      if (process.env.CI === 'true') throw new Error(`CI=true and ${problem}: this suite must run in CI`);
      return { skip: problem, url };
    }
    url[name] = value!;
  }
  return { skip: false, url };
}
