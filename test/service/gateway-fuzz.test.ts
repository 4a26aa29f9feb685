import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { mulberry32 } from '../../domain/shared/prng';
import { login, startTestNode, type TestNode } from '../support/embedded-node';

const SEED = 14;
const REQUESTS = 5_000;
const PARALLEL = 16;

/** Every route of the gateway, with `:x` placeholders the fuzzer fills. */
const ROUTES: [string, string][] = [
  ['GET', '/api/health'],
  ['GET', '/api/health/ready'],
  ['POST', '/api/auth/login'],
  ['GET', '/api/auth/me'],
  ['GET', '/api/units/tree'],
  ['POST', '/api/units'],
  ['GET', '/api/roles'],
  ['POST', '/api/roles'],
  ['GET', '/api/users'],
  ['POST', '/api/users'],
  ['PATCH', '/api/users/:id'],
  ['GET', '/api/service-accounts'],
  ['POST', '/api/service-accounts'],
  ['DELETE', '/api/service-accounts/:id'],
  ['GET', '/api/logs'],
  ['GET', '/api/logs/verify'],
  ['GET', '/api/permissions'],
  ['POST', '/api/permissions'],
  ['DELETE', '/api/permissions/:id'],
  ['GET', '/api/biz-types'],
  ['GET', '/api/biz-types/:id'],
  ['PUT', '/api/biz-types/:id'],
  ['GET', '/api/file-tasks'],
  ['GET', '/api/file-tasks/:id'],
  ['DELETE', '/api/file-tasks/:id'],
  ['GET', '/api/file-tasks/:id/download-url'],
  ['GET', '/api/file-tasks/:id/events'],
  ['GET', '/api/files/:id/content'],
  ['POST', '/api/files'],
  ['POST', '/api/exports'],
  ['POST', '/api/exports/:id/cancel'],
  ['POST', '/api/exports/:id/retry'],
  ['GET', '/api/scheduled-tasks'],
  ['PUT', '/api/scheduled-tasks/:id'],
  ['POST', '/api/scheduled-tasks/:id/run'],
  ['GET', '/api/scheduled-tasks/:id/runs'],
];

const IDS = [
  'x',
  'order_export',
  'archival',
  '01JZZZZZZZZZZZZZZZZZZZZZZZ',
  '%00',
  '%zz',
  '..%2F..%2Fetc',
  '%C3%A4%E6%BC%A2',
  'a'.repeat(300),
  '%E0%A4%A',
  '__proto__',
  'constructor',
  '1e309',
  '-1',
];
const QUERIES = [
  '',
  '?limit=abc',
  '?limit=-1',
  '?limit=99999999999999999999',
  '?limit=1&limit=2',
  '?cursor=%%%',
  '?cursor=' + 'z'.repeat(500),
  '?__proto__[x]=1',
  '?bizType[]=a&bizType[]=b',
  '?from=yesterday&to=2020-13-45',
  '?q=%00',
  '?token=abc',
  '?token=' + 'a.'.repeat(50),
  '?status=NOPE&userId[$ne]=1',
  '?a=%E0%A4%A',
];
const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '*/*',
  ';;;',
];
const ENCODINGS = [
  undefined,
  undefined,
  'gzip',
  'deflate',
  'br',
  'identity',
  'x-unknown',
  'gzip, gzip',
  'GZIP',
  'compress',
  '',
];

describe('gateway fuzz: malformed requests never answer 5xx', () => {
  let node: TestNode;
  let admin: string;
  before(async () => {
    node = await startTestNode({ DEMO_ORDERS: '50' });
    admin = await login(node.baseUrl, 'admin', 'admin');
  });
  after(() => node.stop());

  it(`${REQUESTS} generated requests (seed ${SEED}): 0 answers >= 500`, async () => {
    const rnd = mulberry32(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const bodies: (() => Buffer)[] = [
      () => Buffer.alloc(0),
      () => Buffer.from('x'),
      () => Buffer.from('{"username":"admin","password":'),
      () => Buffer.from(JSON.stringify({ username: ['admin'], password: { $gt: '' } })),
      () => Buffer.from(JSON.stringify({ name: 'n', roles: 'ADMIN', unitId: 7, parentId: {} })),
      () =>
        Buffer.from(
          JSON.stringify({ bizType: 'order_export', format: 'pdf', filters: 'all', columns: [1, null] }),
        ),
      () => Buffer.from(JSON.stringify({ limit: -1, cron: '* * * * * * *', enabled: 'yes' })),
      () => Buffer.from('['.repeat(5000) + ']'.repeat(5000)),
      () => Buffer.from('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}'),
      () => Buffer.from('null'),
      () => Buffer.from('123'),
      () => Buffer.from('"str"'),
      () => Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]),
      () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(rnd() * 256))),
      () => zlib.gzipSync('{"username":"admin","password":"wrong-password"}'),
      () => zlib.deflateSync('{"name":"x"}'),
      () => zlib.gzipSync('not json'),
      () =>
        Buffer.from(
          '--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n--x--\r\n',
        ),
      () => Buffer.from('--x\r\nContent-Disposition: form-data; name="bizType"\r\n\r\ninvoice\r\n--x'),
      () => Buffer.from('a=1&b=%zz'),
    ];
    const statuses = new Map<number, number>();
    const fives: string[] = [];
    let next = 0;
    const one = async (): Promise<void> => {
      const [method0, route] = pick(ROUTES);
      const method =
        rnd() < 0.15 ? pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']) : method0;
      let url = route.replace(/:id/g, () => pick(IDS)) + pick(QUERIES);
      if (rnd() < 0.05) url = url.replace('/api/', pick(['/api//', '/API/', '/api/./', '/api/%2e%2e/']));
      const headers: Record<string, string> = {};
      const auth = rnd();
      if (auth < 0.55) headers.authorization = `Bearer ${admin}`;
      else if (auth < 0.65)
        headers.authorization = pick([
          'Bearer',
          'Bearer ',
          'Basic YTpi',
          `Bearer ${admin}x`,
          'Bearer a.b.c',
          `bearer  ${admin}`,
          'Bearer ftcsa.x.y',
          'Bearer sys1.a.1.b',
        ]);
      const ct = pick(CONTENT_TYPES);
      if (ct !== undefined) headers['content-type'] = ct;
      const ce = pick(ENCODINGS);
      if (ce !== undefined) headers['content-encoding'] = ce;
      if (rnd() < 0.1) headers['x-request-id'] = pick(['<script>', 'a'.repeat(300), 'ok-id']);
      if (rnd() < 0.05)
        headers.range = pick(['bytes=0-', 'bytes=-', 'bytes=9-1', 'items=1-2', 'bytes=0-1,2-3']);
      if (rnd() < 0.05) headers['if-range'] = '"x"';
      const body =
        method === 'GET' || method === 'HEAD' ? (rnd() < 0.1 ? pick(bodies)() : null) : pick(bodies)();
      const status = await send(node.baseUrl, method, url, headers, body);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 && fives.length < 20)
        fives.push(
          `${status} ${method} ${url} ${JSON.stringify(headers).slice(0, 200)} body=${body?.subarray(0, 40).toString('hex')}`,
        );
    };
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next++ < REQUESTS) await one();
      }),
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, REQUESTS);
    assert.deepEqual(fives, [], `5xx answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The generator reaches past authentication and validation too, not only the 401 door.
    assert.ok((statuses.get(200) ?? 0) > 100, JSON.stringify(Object.fromEntries(statuses)));
  });
});

/** A raw HTTP request (node:http, so any header and body goes): the status, 0 if the socket broke. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | null,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, headers, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      // An event stream stays open: its status is all we need.
      if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        res.destroy();
        resolve(status);
        return;
      }
      res.resume();
      res.on('end', () => resolve(status));
      res.on('error', () => resolve(status));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    if (body) req.end(body);
    else req.end();
  });
}
