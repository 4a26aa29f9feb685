import type { DataSource } from 'typeorm';

const flavors = new WeakMap<DataSource, Promise<boolean>>();

/**
 * Whether the data source is MariaDB (asked once per data source): TypeORM's `mysql` type serves
 * MySQL and MariaDB alike, and a few statements (e.g. `LIMIT … ROWS EXAMINED`) are MariaDB's own.
 */
export function isMariaDb(ds: DataSource): Promise<boolean> {
  let flavor = flavors.get(ds);
  if (!flavor) {
    flavor =
      ds.options.type === 'mysql' || ds.options.type === 'mariadb'
        ? ds.query<{ v: string }[]>('SELECT VERSION() AS v').then((r) => /mariadb/i.test(r[0]?.v ?? ''))
        : Promise.resolve(false);
    // A failed probe is asked again next time rather than remembered.
    flavor.catch(() => flavors.delete(ds));
    flavors.set(ds, flavor);
  }
  return flavor;
}
