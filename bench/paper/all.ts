/**
 * `npm run bench`: every paper benchmark in turn (Table 3, Table 4, Figures 6 and 7, scale-out),
 * each with its own cluster, on one pair of databases. Options as each part (--small, --scale,
 * --fresh, --drop, --out …); `--parts table3,table4,figures,scale` picks some; `--share-cluster` runs
 * them all on one cluster (smoke runs).
 */
import { figures } from './figures';
import { dropDatabases, paperOptions, stopSharedCluster } from './common';
import { scaleOut } from './scale';
import { table3 } from './table3';
import { table4 } from './table4';

const PARTS = { table3, table4, figures, scale: scaleOut };

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--parts');
  const names = at >= 0 ? (argv.splice(at, 2)[1] ?? '').split(',') : Object.keys(PARTS);
  const o = paperOptions(argv);
  const t0 = Date.now();
  try {
    for (const name of names) {
      const part = PARTS[name as keyof typeof PARTS];
      if (!part) throw new Error(`unknown part ${name} (${Object.keys(PARTS).join(', ')})`);
      console.log(`\n=== ${name} ===`);
      await part(o);
    }
  } finally {
    await stopSharedCluster();
    if (o.drop) await dropDatabases(o);
  }
  console.log(`\nall parts done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
