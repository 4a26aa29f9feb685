/**
 * Chaos run (issue #18): a three-node cluster (gateway, core, export) on MariaDB with its own Redis
 * and NATS, N exports in flight, and the outages operations meet: the export node killed, Redis
 * restarted without its data, NATS down 10, 40 and 90 s. After each fault it waits until every
 * export has settled and checks the result: no FAILED, none stuck, no duplicate files, every file's
 * rows counted, the operation log's hash chain intact.
 *
 *   npm run chaos -- [--exports 20] [--rows 200000] [--scenarios kill-export,redis-restart,nats-10,nats-40,nats-90]
 *                    [--mysql-url mysql://root@127.0.0.1:3306/] [--settle-timeout 900] [--out bench/results/chaos-<date>.md]
 *
 * Redis and NATS are its own redis-server and nats-server on spare loopback ports (never the shared
 * ones); the databases are temporary (dropped at the end). Nodes run with production defaults
 * (lease 60 s, compensation every minute with a 60 s minimum age, outage window 10 minutes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { ownServer, type OwnServer } from '../test/support/own-servers';
import { tempMysqlDatabase } from '../test/support/mysql';
import {
  adminToken,
  clusterEnv,
  eventually,
  freePort,
  startNodeProcess,
  stopNode,
  type NodeProcess,
} from '../test/support/cluster';
import { http } from '../test/support/embedded-node';
import { awaitsRetry, type FailureReason } from '../domain/file-tasks/file-task';

const SCENARIOS = ['kill-export', 'redis-restart', 'nats-10', 'nats-40', 'nats-90'] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    exports: { type: 'string', default: '20' },
    rows: { type: 'string', default: '200000' },
    scenarios: { type: 'string', default: SCENARIOS.join(',') },
    'mysql-url': { type: 'string', default: process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/' },
    'settle-timeout': { type: 'string', default: '900' },
    out: { type: 'string' },
    // Every node's output is kept here (one file per process) for a post-mortem.
    logs: { type: 'string' },
  },
});
const N = Number(values.exports);
const ROWS = Number(values.rows.replace(/[_,]/g, ''));
const scenarios = values.scenarios.split(',').map((s) => s.trim()) as Scenario[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);
if (!/^mysql:\/\/[^@]*@(127\.0\.0\.1|localhost)[:/]/.test(values['mysql-url']))
  throw new Error('--mysql-url must be a local server');
const SETTLE_MS = Number(values['settle-timeout']) * 1000;
const TERMINAL = new Set(['SUCCESS', 'FAILED', 'CANCELLED', 'EXPIRED']);
/** The nodes run with the default EXPORT_MAX_ATTEMPTS. */
const MAX_ATTEMPTS = 3;
/**
 * Settled: nothing more will happen to it. A FAILED export that awaits a retry (an outage waited
 * out, or a retryable failure with attempts left) is not settled: the product runs it again.
 */
const settledTask = (t: Task) =>
  TERMINAL.has(t.status) && !awaitsRetry('FAILED', t.status === 'FAILED' ? t.export : null, MAX_ATTEMPTS);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

interface Row {
  scenario: Scenario;
  success: number;
  failed: number;
  stuck: number;
  duplicates: number;
  rowsChecked: number;
  rowsExpected: number;
  settleSeconds: number | null;
  chain: string;
  attempts: string;
  /** Exports seen FAILED while awaiting a retry (an outage waited out) before they settled. */
  sawRetrying: number;
}

interface Task {
  id: string;
  status: string;
  export: {
    rowCount: number | null;
    attempts: number;
    failureReason: FailureReason | null;
    failureMessage: string | null;
  };
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-chaos-'));
  const nats: OwnServer = await ownServer('nats', await freePort());
  const redis: OwnServer = await ownServer('redis', await freePort());
  const db = await tempMysqlDatabase(values['mysql-url'], 'ftc_chaos');
  const shop = await tempMysqlDatabase(values['mysql-url'], 'ftc_chaos_shop');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = clusterEnv({
    nats: nats.url,
    databaseUrl: db.url,
    port,
    dataDir,
    extra: { SHOP_DATABASE_URL: shop.url, REDIS_URL: redis.url },
  });
  const nodes: Record<string, NodeProcess> = {};
  const started: NodeProcess[] = [];
  const start = (name: string, nodeEnv: Record<string, string>) => {
    const n = startNodeProcess(name, nodeEnv);
    started.push(n);
    return n;
  };
  const startExportNode = () =>
    (nodes.export = start('export', {
      ...env,
      SERVICES: 'export',
      NODE_ID: `export-${Date.now()}`,
    }));
  const results: Row[] = [];
  try {
    log(`cluster: gateway, core (seeding ${ROWS} orders), export; Redis ${redis.url}, NATS ${nats.url}`);
    nodes.gateway = start('gateway', { ...env, SERVICES: 'gateway', NODE_ID: 'gateway-1' });
    nodes.core = start('core', {
      ...env,
      SERVICES: 'core',
      NODE_ID: 'core-1',
      DEMO_DATA: 'true',
      DEMO_ORDERS: String(ROWS),
    });
    startExportNode();
    await eventually('ready', 30 * 60_000, async () =>
      (await http(base, 'GET', '/api/health/ready')).status === 200 ? true : null,
    );
    const token = await adminToken(base);
    const call = (method: string, url: string, body?: unknown) => http(base, method, url, { token, body });
    const task = async (id: string) => (await call('GET', `/api/file-tasks/${id}`)).body as Task;
    let round = 0;

    for (const scenario of scenarios) {
      round++;
      log(`${scenario}: requesting ${N} exports of ${ROWS} orders`);
      const ids: string[] = [];
      for (let i = 0; i < N; i++) {
        // Distinct filters that every order passes: identical requests in flight would be merged.
        const from = new Date(Date.UTC(1990, 0, 1) + (round * 1000 + i) * 60_000).toISOString();
        const r = await call('POST', '/api/exports', {
          bizType: 'order_export',
          format: 'csv',
          filters: { createdFrom: from },
        });
        if (r.status !== 202) throw new Error(`export request: ${r.status} ${JSON.stringify(r.body)}`);
        ids.push(r.body.id as string);
      }
      // The fault hits work in flight: wait until an export has written rows.
      await eventually('an export in flight', 10 * 60_000, async () => {
        for (const id of ids) {
          const t = (await call('GET', `/api/file-tasks/${id}`)).body;
          if (t.status === 'EXPORTING' && t.export.progress.rows > 0) return true;
        }
        return null;
      });
      log(`${scenario}: fault`);
      await fault(scenario, { nats, redis, nodes, startExportNode });
      const restored = Date.now();
      log(`${scenario}: restored; waiting for ${N} exports to settle`);
      let tasks: Task[] = [];
      let settled: number | null = null;
      const retrying = new Set<string>();
      while (Date.now() - restored < SETTLE_MS) {
        tasks = await Promise.all(ids.map(task)).catch(() => tasks);
        for (const t of tasks) if (TERMINAL.has(t.status) && !settledTask(t)) retrying.add(t.id);
        if (tasks.length === N && tasks.every(settledTask)) {
          settled = (Date.now() - restored) / 1000;
          break;
        }
        await sleep(2000);
      }
      const files = exportFiles(dataDir, ids);
      const success = tasks.filter((t) => t.status === 'SUCCESS');
      let rowsChecked = 0;
      for (const t of success) {
        const own = files.get(t.id) ?? [];
        if (own.length === 0) continue;
        const n = await csvRows(own[0]);
        if (n !== t.export.rowCount)
          log(`${scenario}: ${t.id} file has ${n} rows, record says ${t.export.rowCount}`);
        rowsChecked += n;
      }
      const duplicates = [...files.values()].reduce((sum, f) => sum + Math.max(0, f.length - 1), 0);
      const verify = await call('GET', '/api/logs/verify');
      const failed = tasks.filter((t) => t.status === 'FAILED' && settledTask(t));
      for (const t of failed)
        log(`${scenario}: FAILED ${t.id} ${t.export.failureReason}: ${t.export.failureMessage}`);
      const attempts = new Map<number, number>();
      for (const t of tasks) attempts.set(t.export.attempts, (attempts.get(t.export.attempts) ?? 0) + 1);
      results.push({
        scenario,
        success: success.length,
        failed: failed.length,
        stuck: N - tasks.filter(settledTask).length,
        duplicates,
        rowsChecked,
        rowsExpected: N * ROWS,
        settleSeconds: settled,
        chain:
          verify.status === 200 && verify.body.ok
            ? `ok (${verify.body.checked})`
            : `BROKEN ${JSON.stringify(verify.body)}`,
        attempts: [...attempts]
          .sort((a, b) => a[0] - b[0])
          .map(([a, n]) => `${n}×${a}`)
          .join(' '),
        sawRetrying: retrying.size,
      });
      log(`${scenario}: ${JSON.stringify(results[results.length - 1])}`);
    }
  } finally {
    await Promise.all(Object.values(nodes).map((n) => stopNode(n)));
    const logDir = values.logs ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-chaos-logs-'));
    fs.mkdirSync(logDir, { recursive: true });
    for (const n of started) fs.writeFileSync(path.join(logDir, `${n.name}-${n.child.pid}.log`), n.output());
    log(`node logs in ${logDir}`);
    await nats.stop();
    await redis.stop();
    await db.drop();
    await shop.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  report(results);
}

async function fault(
  scenario: Scenario,
  c: {
    nats: OwnServer;
    redis: OwnServer;
    nodes: Record<string, NodeProcess>;
    startExportNode: () => NodeProcess;
  },
) {
  if (scenario === 'kill-export') {
    c.nodes.export.child.kill('SIGKILL');
    await c.nodes.export.exited;
    await sleep(2000);
    c.startExportNode();
    return;
  }
  if (scenario === 'redis-restart') {
    await c.redis.stop('SIGKILL'); // no persistence: the jobs and schedules are gone
    await sleep(8000);
    await c.redis.start();
    return;
  }
  const seconds = Number(scenario.slice('nats-'.length));
  await c.nats.stop();
  await sleep(seconds * 1000);
  await c.nats.start();
}

/** The export objects on local disk, by task id (named exports/<biz>/<yyyy-mm>/<taskId>.<attempt>.<ext>). */
function exportFiles(dataDir: string, ids: string[]): Map<string, string[]> {
  const wanted = new Set(ids);
  const out = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const id = e.name.slice(0, e.name.indexOf('.'));
        if (wanted.has(id)) out.set(id, [...(out.get(id) ?? []), p]);
      }
    }
  };
  walk(path.join(dataDir, 'objects', 'data', 'exports'));
  return out;
}

/** Data rows of a CSV file (after its header), parsed, so quoted line breaks count once. */
async function csvRows(file: string): Promise<number> {
  let n = -1;
  for await (const _ of fs.createReadStream(file).pipe(parse({ bom: true, relax_column_count: true }))) n++;
  return Math.max(0, n);
}

function report(rows: Row[]) {
  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    `# Chaos run ${new Date().toISOString()}`,
    '',
    `${N} exports of ${ROWS.toLocaleString('en')} orders (csv) per scenario; gateway, core and export node over`,
    `NATS, bull on Redis, MariaDB; production defaults. Machine: ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end (shared).`,
    '"seconds to settle": from the end of the fault (node restarted, server back) until every export is final.',
    '',
    '"stuck": not settled by then; an export FAILED while it awaits a retry (an outage waited out, attempt given back) is not settled, and "seen waiting" counts those seen so after the fault ended (the API is not polled during it).',
    '',
    '| scenario | SUCCESS | FAILED | stuck | duplicate files | rows checked | seconds to settle | chain verified | attempts (count×n) | seen waiting |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.success} | ${r.failed} | ${r.stuck} | ${r.duplicates} | ${r.rowsChecked.toLocaleString('en')} of ${r.rowsExpected.toLocaleString('en')} | ${r.settleSeconds === null ? 'not settled' : r.settleSeconds.toFixed(0)} | ${r.chain} | ${r.attempts} | ${r.sawRetrying} |`,
    ),
    '',
  ];
  const text = lines.join('\n');
  console.log(`\n${text}`);
  const out = values.out ?? path.join(__dirname, 'results', `chaos-${date}.md`);
  fs.writeFileSync(out, text);
  console.log(`written to ${out}`);
  const bad = rows.some((r) => r.failed || r.stuck || r.duplicates || r.rowsChecked !== r.rowsExpected);
  process.exitCode = bad ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
