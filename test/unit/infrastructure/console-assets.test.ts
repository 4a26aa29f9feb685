import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { consoleAssets } from '../../../mixins/http/console-assets';

describe('console assets (the web console served at /)', () => {
  let dir: string;
  let server: http.Server;
  let base: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-console-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<html>console</html>');
    fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js.gz'), zlib.gzipSync('console.log(1)'));
    fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js.br'), zlib.brotliCompressSync('console.log(1)'));
    fs.writeFileSync(path.join(dir, '.source-hash'), 'secret-ish');
    fs.writeFileSync(path.join(os.tmpdir(), 'outside.txt'), 'outside');
    const assets = consoleAssets(dir);
    server = http.createServer((req, res) => {
      if (!assets.serve(req, res)) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"NOT_FOUND"}}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = async (url: string, headers: Record<string, string> = {}, method = 'GET') => {
    const res = await fetch(base + url, { headers, method });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  it('serves hashed assets immutable and the page no-cache, with the SPA fallback', async () => {
    const js = await get('/assets/app-abc123.js', { 'accept-encoding': 'identity' });
    assert.equal(js.res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.body.toString(), 'console.log(1)');
    for (const url of ['/', '/files', '/admin/logs?x=1']) {
      const page = await get(url);
      assert.equal(page.res.status, 200, url);
      assert.equal(page.res.headers.get('cache-control'), 'no-cache');
      assert.equal(page.body.toString(), '<html>console</html>');
    }
  });

  it('sends the precompressed file the client accepts (br before gzip)', async () => {
    // fetch decodes the body: the header says which file was sent.
    const br = await get('/assets/app-abc123.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(br.res.headers.get('content-encoding'), 'br');
    assert.equal(br.body.toString(), 'console.log(1)');
    const gz = await get('/assets/app-abc123.js', { 'accept-encoding': 'gzip, br;q=0' });
    assert.equal(gz.res.headers.get('content-encoding'), 'gzip');
    assert.equal(gz.res.headers.get('vary'), 'Accept-Encoding');
  });

  it('leaves /api, other methods, missing assets, dot files and escapes to the gateway (404)', async () => {
    for (const url of [
      '/api/nope',
      '/api',
      '/assets/gone-123.js',
      '/.source-hash',
      '/assets/..%2f..%2foutside.txt',
      '/%2e%2e/outside.txt',
    ]) {
      const r = await get(url);
      if (url.startsWith('/assets/') || url.startsWith('/api')) assert.equal(r.res.status, 404, url);
      else assert.ok(!r.body.toString().includes('outside') && !r.body.toString().includes('secret'), url);
    }
    assert.equal((await get('/', {}, 'POST')).res.status, 404);
  });
});
