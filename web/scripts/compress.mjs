// Writes .gz and .br beside every compressible file of the built console, so the gateway serves
// them without compressing per request. Prints the sizes the README reports.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dist = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'dist');
const files = (dir) =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });

let raw = 0;
let gz = 0;
const rows = [];
for (const file of files(dist)) {
  if (!/\.(js|css|html|svg|json|txt|map)$/.test(file) || file.endsWith('.map')) continue;
  const bytes = readFileSync(file);
  const g = zlib.gzipSync(bytes, { level: 9 });
  const b = zlib.brotliCompressSync(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  writeFileSync(`${file}.gz`, g);
  writeFileSync(`${file}.br`, b);
  raw += bytes.length;
  gz += g.length;
  rows.push([path.relative(dist, file), bytes.length, g.length, b.length]);
}
rows.sort((a, b) => b[2] - a[2]);
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
for (const [name, r, g, b] of rows.slice(0, 8))
  console.log(`${name.padEnd(48)} ${kb(r).padStart(10)}  gzip ${kb(g).padStart(9)}  br ${kb(b).padStart(9)}`);
console.log(`console total: ${kb(raw)} raw, ${kb(gz)} gzip (${rows.length} files)`);
