/**
 * The bare baseline of bench/front-door.ts: node:http and better-sqlite3 answering
 * `GET /t/:id` with `SELECT * FROM file_tasks WHERE id = ?` (a prepared statement) from the
 * embedded node's own database file, as JSON. No framework, no auth, no broker: what one process
 * and this database can do.
 *
 *   node --import tsx bench/front-door-baseline.ts <sqlite-file> <port>
 */
import http from 'node:http';
import Database from 'better-sqlite3';

const [file, port] = process.argv.slice(2);
const db = new Database(file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const byId = db.prepare('SELECT * FROM file_tasks WHERE id = ?');
const server = http.createServer((req, res) => {
  const row = byId.get(decodeURIComponent((req.url ?? '').slice(3)));
  const body = JSON.stringify(row ?? null);
  res.writeHead(row ? 200 : 404, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});
server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => {
  server.close();
  db.close();
  process.exit(0);
});
