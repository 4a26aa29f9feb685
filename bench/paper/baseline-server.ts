/**
 * The bare baseline of Table 3: a minimal HTTP server that answers `GET /t/:id` with the same
 * primary-key query as getFileTaskById (`SELECT * FROM file_tasks WHERE id = ?`) through a mysql2
 * pool, as JSON. No framework, no auth, no broker: what one process and this database can do.
 *
 *   node --import tsx bench/paper/baseline-server.ts <mysql-url> <port>
 */
import http from 'node:http';
import mysql from 'mysql2/promise';

const [url, port] = process.argv.slice(2);
const pool = mysql.createPool({ uri: url, connectionLimit: 10, timezone: 'Z' });
const server = http.createServer((req, res) => {
  const id = decodeURIComponent((req.url ?? '').slice(3));
  pool
    .query<mysql.RowDataPacket[]>('SELECT * FROM file_tasks WHERE id = ?', [id])
    .then(([rows]) => {
      res.writeHead(rows.length ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(rows[0] ?? null));
    })
    .catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
});
server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => {
  server.close();
  void pool.end();
});
