/**
 * Fills the demo shop database with generated orders.
 *   npm run seed -- [--orders N] [--reset] [--batch-size N]
 * The shop database is SHOP_DATABASE_URL, or <DATA_DIR>/shop.sqlite by default. Seeding resumes
 * from the highest existing order, so an interrupted run (Ctrl-C) is continued by running it again.
 * Exit codes: 0 done, 1 failed, 2 bad arguments or configuration, 130 interrupted.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ConfigError, loadAppConfig, type DatabaseConfig } from '../mixins/config/app-config';
import { openShopDatabase } from '../mixins/shop/shop-database';
import { resetOrders, seedOrders } from '../mixins/shop/order-seeder';
import { minMaxId } from '../mixins/shop/order-reader';

const MAX_ORDERS = 100_000_000;
const USAGE = `usage: npm run seed -- [--orders N] [--reset] [--batch-size N]
  --orders N       orders the shop should hold, 0..${MAX_ORDERS.toLocaleString('en')} (default DEMO_ORDERS or 100,000)
  --reset          delete every order first, then seed from order #1
  --batch-size N   rows per transaction, 1..10,000 (default 2,000)`;

class UsageError extends Error {}

interface Args {
  orders: number | null;
  reset: boolean;
  batchSize: number | undefined;
}

/** Accepts 100000, 100_000 and 100,000; anything else is an error, never a silent default. */
function count(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const digits = raw.replace(/[_,]/g, '');
  const n = /^\d+$/.test(digits) ? Number(digits) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function parse(argv: string[]): Args | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        orders: { type: 'string' },
        'batch-size': { type: 'string' },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  return {
    orders: count('orders', values.orders, 0, MAX_ORDERS) ?? null,
    reset: values.reset,
    batchSize: count('batch-size', values['batch-size'], 1, 10_000),
  };
}

/** Where the data goes, without the password a URL may carry. */
function describe(config: DatabaseConfig): string {
  if (config.type === 'sqlite') return `SQLite ${config.file}`;
  const u = new URL(config.url);
  if (u.password) u.password = '***';
  return `MySQL ${u.toString()}`;
}

const rate = (rows: number, ms: number) => Math.round(rows / Math.max(ms / 1000, 0.001)).toLocaleString('en');

/** A bar on a terminal; one plain line every few seconds in a log or a pipe. */
function progressReporter(start: number, total: number) {
  const began = Date.now();
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'orders |{bar}| {percentage}% | {value}/{total} | {speed} rows/s | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
        formatValue: (v, _o, type) =>
          type === 'value' || type === 'total' ? v.toLocaleString('en') : String(v),
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, start, { speed: '0' });
    return {
      update: (done: number) => bar.update(done, { speed: rate(done - start, Date.now() - began) }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (done: number) => {
      if (Date.now() - last < 2000 && done < total) return;
      last = Date.now();
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      console.log(
        `orders ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${pct}%), ${rate(done - start, Date.now() - began)} rows/s`,
      );
    },
    stop: () => undefined,
  };
}

async function main(): Promise<number> {
  let args: Args | 'help';
  let config;
  try {
    args = parse(process.argv.slice(2));
    if (args === 'help') {
      console.log(USAGE);
      return 0;
    }
    config = loadAppConfig();
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      console.error(`seed: ${e.message}`);
      if (e instanceof UsageError) console.error(USAGE);
      return 2;
    }
    throw e;
  }
  const orders = args.orders ?? config.demo.orders;

  console.log(`Shop database: ${describe(config.shopDatabase)}`);
  const ds = await openShopDatabase(config.shopDatabase);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    if (args.reset) {
      await resetOrders(ds);
      console.log('Deleted every order (--reset).');
    }
    const start = Math.min((await minMaxId(ds))?.max ?? 0, orders);
    const progress = progressReporter(start, orders);
    const began = Date.now();
    let result;
    try {
      result = await seedOrders(ds, {
        orders,
        batchSize: args.batchSize,
        signal: abort.signal,
        onProgress: (done) => progress.update(done),
      });
    } finally {
      progress.stop();
    }
    const ms = Date.now() - began;
    if (result.aborted) {
      console.log(
        `Interrupted after ${result.inserted.toLocaleString('en')} new orders; ${result.total.toLocaleString('en')} are stored. Run the same command again to continue.`,
      );
      return 130;
    }
    if (result.inserted === 0) {
      const more = result.total > orders ? ' (more than asked for: add --reset to reseed fewer)' : '';
      console.log(
        `Nothing to do: the shop already holds ${result.total.toLocaleString('en')} orders${more}.`,
      );
    } else {
      console.log(
        `Inserted ${result.inserted.toLocaleString('en')} orders in ${(ms / 1000).toFixed(1)} s (${rate(result.inserted, ms)} rows/s); the shop holds ${result.total.toLocaleString('en')} orders.`,
      );
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await ds.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`seed failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  },
);
