import crypto from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server speaking the subset of the OSS REST API that OssStorage uses, so the real
 * ali-oss client can be tested without a network. It stores objects in memory and checks what a real
 * OSS checks: the v1 signature (header or query), the presence and skew of the date, Content-MD5,
 * part order and sizes at CompleteMultipartUpload. Every request is recorded for assertions.
 *
 * Bucket addressing follows ali-oss: with an IP endpoint the bucket is in the Host header
 * (`<bucket>.<region>.aliyuncs.com`) and the path is the key; with `cname` (endpoint `localhost`)
 * the server is the bucket.
 */
export interface FakeOssOptions {
  bucket: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** OSS refuses parts below 100 KiB except the last one. */
  minPartSize?: number;
}

export type Operation =
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'GetBucketInfo'
  | 'InitiateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'Unknown';

export interface RecordedRequest {
  operation: Operation;
  method: string;
  key: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The status sent, or 0 when the client aborted before the body was complete. */
  status: number;
  /** The OSS error code sent, if any. */
  errorCode?: string;
  bodyBytes: number;
}

export interface StoredObject {
  body: Buffer;
  contentType: string;
  metadata: Record<string, string>;
  etag: string;
  lastModified: Date;
}

interface Upload {
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  parts: Map<number, { body: Buffer; etag: string }>;
}

/** A failure to inject: return it from the hook to answer a request with an OSS error. */
export interface InjectedFailure {
  status: number;
  code: string;
  message?: string;
}

/** Query parameters that are part of the v1 canonicalized resource (the subset ali-oss may send). */
const SIGNED_SUBRESOURCES = new Set([
  'acl',
  'uploads',
  'uploadId',
  'partNumber',
  'location',
  'bucketInfo',
  'objectMeta',
  'continuation-token',
  'security-token',
  'versionId',
  'x-oss-process',
  'x-oss-traffic-limit',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
]);

const MAX_SKEW_MS = 15 * 60 * 1000;

class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const xmlEscape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
const xmlDoc = (root: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>${body}</${root}>`;
const el = (name: string, value: string | number | boolean) =>
  `<${name}>${xmlEscape(String(value))}</${name}>`;
const md5 = (b: Buffer) => crypto.createHash('md5').update(b);
const compareKeys = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export class FakeOssServer {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, StoredObject>();
  private readonly uploads = new Map<string, Upload>();
  private failure: ((r: RecordedRequest) => InjectedFailure | null) | null = null;
  private readonly active = new Map<Operation, number>();
  private readonly peak = new Map<Operation, number>();

  private constructor(
    private readonly server: http.Server,
    private readonly options: FakeOssOptions,
  ) {}

  static async start(options: FakeOssOptions): Promise<FakeOssServer> {
    const server = http.createServer();
    const fake = new FakeOssServer(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => fake.receive(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** For `cname: true`: a host name, because ali-oss will not sign URLs for an IP endpoint. */
  get endpoint(): string {
    return `http://localhost:${this.port}`;
  }

  /** ali-oss puts the bucket in the Host header for an IP endpoint. */
  get ipEndpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  objectKeys(): string[] {
    return [...this.objects.keys()].sort(compareKeys);
  }

  object(key: string): StoredObject | undefined {
    return this.objects.get(key);
  }

  pendingUploads(): number {
    return this.uploads.size;
  }

  /** Answer every request for which `hook` returns a failure with that OSS error; null to stop. */
  failWhen(hook: ((r: RecordedRequest) => InjectedFailure | null) | null): void {
    this.failure = hook;
  }

  /** The most requests of one operation the server was receiving at the same time. */
  peakConcurrency(operation: Operation): number {
    return this.peak.get(operation) ?? 0;
  }

  ofType(operation: Operation): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = {
      operation: operationOf(req.method ?? '', url.pathname, query),
      method: req.method ?? '',
      key: decodeURIComponent(url.pathname.slice(1)),
      query,
      headers: req.headers,
      status: 0,
      bodyBytes: 0,
    };
    this.requests.push(record);
    const op = record.operation;
    this.active.set(op, (this.active.get(op) ?? 0) + 1);
    this.peak.set(op, Math.max(this.peak.get(op) ?? 0, this.active.get(op)!));
    req.once('close', () => this.active.set(op, this.active.get(op)! - 1));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined); // a client aborting mid-body is a case under test, not a crash
    // A client that aborts mid-body must leave nothing behind: only a complete body is handled.
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      record.bodyBytes = body.length;
      try {
        this.authenticate(req, record);
        const injected = this.failure?.(record);
        if (injected)
          throw new OssError(injected.status, injected.code, injected.message ?? 'injected failure');
        this.handle(record, body, res);
      } catch (e) {
        const error = e instanceof OssError ? e : new OssError(500, 'InternalError', String(e));
        record.errorCode = error.code;
        this.sendError(res, record, error);
      }
      record.status = res.statusCode;
    });
  }

  private authenticate(req: IncomingMessage, record: RecordedRequest): void {
    const { bucket, accessKeyId, accessKeySecret } = this.options;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host !== 'localhost' && host !== '127.0.0.1' && host.split('.')[0] !== bucket) {
      throw new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.');
    }
    const q = record.query;
    const resource = `/${bucket}/${record.key}${canonicalSubresources(q)}`;
    let givenId: string;
    let givenSignature: string;
    let dateOrExpires: string;
    if (q.OSSAccessKeyId !== undefined) {
      // A signed URL: the expiry takes the place of the date.
      givenId = q.OSSAccessKeyId;
      givenSignature = q.Signature ?? '';
      dateOrExpires = q.Expires ?? '';
      if (!/^\d+$/.test(dateOrExpires) || Number(dateOrExpires) * 1000 < Date.now()) {
        throw new OssError(403, 'AccessDenied', 'Request has expired.');
      }
    } else {
      const match = /^OSS ([^:]+):(.+)$/.exec(req.headers.authorization ?? '');
      if (!match) throw new OssError(403, 'AccessDenied', 'Authorization header is missing or not OSS v1.');
      [, givenId, givenSignature] = match;
      dateOrExpires = String(req.headers['x-oss-date'] ?? req.headers.date ?? '');
      const when = Date.parse(dateOrExpires);
      if (Number.isNaN(when))
        throw new OssError(403, 'AccessDenied', 'The request has no valid Date header.');
      if (Math.abs(when - Date.now()) > MAX_SKEW_MS) {
        throw new OssError(
          403,
          'RequestTimeTooSkewed',
          'The difference between the request time and now is too large.',
        );
      }
    }
    if (givenId !== accessKeyId) {
      throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist.');
    }
    const stringToSign = canonicalString(record.method, req.headers, dateOrExpires, resource);
    const expected = crypto.createHmac('sha1', accessKeySecret).update(stringToSign, 'utf8').digest('base64');
    if (expected !== givenSignature) {
      throw new OssError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match.',
        {
          StringToSign: stringToSign,
        },
      );
    }
  }

  private handle(r: RecordedRequest, body: Buffer, res: ServerResponse): void {
    const contentMd5 = r.headers['content-md5'];
    if (contentMd5 !== undefined && md5(body).digest('base64') !== contentMd5) {
      throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
    }
    switch (r.operation) {
      case 'PutObject': {
        const object = this.store(r.key, body, contentTypeOf(r.headers), metadataOf(r.headers));
        return this.send(res, 200, { ETag: `"${object.etag}"` });
      }
      case 'GetObject':
      case 'HeadObject':
        return this.read(r, res);
      case 'DeleteObject':
        this.objects.delete(r.key);
        return this.send(res, 204);
      case 'ListObjectsV2':
      case 'ListObjects':
        return this.list(r, res);
      case 'GetBucketInfo':
        return this.sendXml(
          res,
          200,
          xmlDoc(
            'BucketInfo',
            `<Bucket>${el('Name', this.options.bucket)}${el('StorageClass', 'Standard')}</Bucket>`,
          ),
        );
      case 'InitiateMultipartUpload': {
        const uploadId = crypto.randomBytes(16).toString('hex').toUpperCase();
        this.uploads.set(uploadId, {
          key: r.key,
          contentType: contentTypeOf(r.headers),
          metadata: metadataOf(r.headers),
          parts: new Map(),
        });
        const inner = el('Bucket', this.options.bucket) + el('Key', r.key) + el('UploadId', uploadId);
        return this.sendXml(res, 200, xmlDoc('InitiateMultipartUploadResult', inner));
      }
      case 'UploadPart': {
        const upload = this.upload(r);
        const partNumber = Number(r.query.partNumber);
        if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
          throw new OssError(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000.');
        }
        const etag = md5(body).digest('hex').toUpperCase();
        upload.parts.set(partNumber, { body, etag });
        return this.send(res, 200, { ETag: `"${etag}"` });
      }
      case 'CompleteMultipartUpload':
        return this.complete(r, body, res);
      case 'AbortMultipartUpload':
        this.upload(r);
        this.uploads.delete(r.query.uploadId);
        return this.send(res, 204);
      default:
        throw new OssError(400, 'NotImplemented', `the fake does not implement ${r.method} ${r.key}`);
    }
  }

  private read(r: RecordedRequest, res: ServerResponse): void {
    const object = this.objects.get(r.key);
    if (!object) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.');
    const size = object.body.length;
    const headers: Record<string, string> = {
      'Content-Type': r.query['response-content-type'] ?? object.contentType,
      ETag: `"${object.etag}"`,
      'Last-Modified': object.lastModified.toUTCString(),
      'Accept-Ranges': 'bytes',
    };
    if (r.query['response-content-disposition']) {
      headers['Content-Disposition'] = r.query['response-content-disposition'];
    }
    for (const [k, v] of Object.entries(object.metadata)) headers[`x-oss-meta-${k}`] = v;
    let status = 200;
    let bytes = object.body;
    const range = parseRange(r.headers.range, size);
    if (range === 'invalid') {
      // Real OSS ignores an unsatisfiable range unless asked to behave like the HTTP standard.
      if (r.headers['x-oss-range-behavior'] === 'standard') {
        throw new OssError(416, 'InvalidRange', 'The requested range is not satisfiable.');
      }
    } else if (range) {
      status = 206;
      bytes = object.body.subarray(range.start, range.end + 1);
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    }
    headers['Content-Length'] = String(bytes.length);
    res.writeHead(status, { ...headers, 'x-oss-request-id': requestId() });
    res.end(r.operation === 'HeadObject' ? undefined : bytes);
  }

  private list(r: RecordedRequest, res: ServerResponse): void {
    const q = r.query;
    const v2 = r.operation === 'ListObjectsV2';
    const prefix = q.prefix ?? '';
    const after = v2 ? (q['continuation-token'] ?? q['start-after'] ?? '') : (q.marker ?? '');
    const maxKeys = Math.min(Number(q['max-keys'] ?? 100), 1000);
    if (q.delimiter) throw new OssError(400, 'NotImplemented', 'the fake does not implement delimiter');
    const matching = this.objectKeys().filter(
      (k) => k.startsWith(prefix) && (after === '' || compareKeys(k, after) > 0),
    );
    const page = matching.slice(0, maxKeys);
    const truncated = matching.length > page.length;
    const contents = page
      .map((key) => {
        const o = this.objects.get(key)!;
        const owner = `<Owner>${el('ID', '1')}${el('DisplayName', '1')}</Owner>`;
        return `<Contents>${el('Key', key)}${el('LastModified', o.lastModified.toISOString())}${el('ETag', `"${o.etag}"`)}${el('Type', 'Normal')}${el('Size', o.body.length)}${el('StorageClass', 'Standard')}${owner}</Contents>`;
      })
      .join('');
    const last = page[page.length - 1] ?? '';
    const inner = v2
      ? el('Name', this.options.bucket) +
        el('Prefix', prefix) +
        el('MaxKeys', maxKeys) +
        el('KeyCount', page.length) +
        el('IsTruncated', truncated) +
        (truncated ? el('NextContinuationToken', last) : '') +
        contents
      : el('Name', this.options.bucket) +
        el('Prefix', prefix) +
        el('Marker', after) +
        el('MaxKeys', maxKeys) +
        el('IsTruncated', truncated) +
        (truncated ? el('NextMarker', last) : '') +
        contents;
    this.sendXml(res, 200, xmlDoc('ListBucketResult', inner));
  }

  private complete(r: RecordedRequest, body: Buffer, res: ServerResponse): void {
    const upload = this.upload(r);
    const listed = [
      ...body
        .toString('utf8')
        .matchAll(/<Part>\s*<PartNumber>(\d+)<\/PartNumber>\s*<ETag>([^<]*)<\/ETag>\s*<\/Part>/g),
    ].map((m) => ({
      number: Number(m[1]),
      etag: m[2].replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, ''),
    }));
    if (listed.length === 0)
      throw new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed.');
    const minPart = this.options.minPartSize ?? 100 * 1024;
    const parts: Buffer[] = [];
    const digests: Buffer[] = [];
    listed.forEach((p, i) => {
      // Real OSS only needs ascending numbers; our uploader must never skip one.
      if (p.number !== i + 1) throw new OssError(400, 'InvalidPartOrder', 'Parts must be contiguous from 1.');
      const stored = upload.parts.get(p.number);
      if (!stored || stored.etag !== p.etag.toUpperCase()) {
        throw new OssError(400, 'InvalidPart', `part ${p.number} was not uploaded or its ETag differs`);
      }
      if (i < listed.length - 1 && stored.body.length < minPart) {
        throw new OssError(400, 'EntityTooSmall', `part ${p.number} is smaller than ${minPart} bytes`);
      }
      parts.push(stored.body);
      digests.push(md5(stored.body).digest());
    });
    const object = this.store(upload.key, Buffer.concat(parts), upload.contentType, upload.metadata);
    object.etag = `${md5(Buffer.concat(digests)).digest('hex').toUpperCase()}-${listed.length}`;
    this.uploads.delete(r.query.uploadId);
    const inner = el('Bucket', this.options.bucket) + el('Key', upload.key) + el('ETag', `"${object.etag}"`);
    this.sendXml(res, 200, xmlDoc('CompleteMultipartUploadResult', inner), { ETag: `"${object.etag}"` });
  }

  private upload(r: RecordedRequest): Upload {
    const upload = this.uploads.get(r.query.uploadId ?? '');
    if (!upload || upload.key !== r.key) {
      throw new OssError(404, 'NoSuchUpload', 'The specified upload does not exist.');
    }
    return upload;
  }

  private store(
    key: string,
    body: Buffer,
    contentType: string,
    metadata: Record<string, string>,
  ): StoredObject {
    const object = {
      body,
      contentType,
      metadata,
      etag: md5(body).digest('hex').toUpperCase(),
      lastModified: new Date(),
    };
    this.objects.set(key, object);
    return object;
  }

  private send(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
    res.writeHead(status, { ...headers, 'Content-Length': '0', 'x-oss-request-id': requestId() });
    res.end();
  }

  private sendXml(
    res: ServerResponse,
    status: number,
    xml: string,
    headers: Record<string, string> = {},
  ): void {
    const body = Buffer.from(xml);
    res.writeHead(status, {
      ...headers,
      'Content-Type': 'application/xml',
      'Content-Length': String(body.length),
      'x-oss-request-id': requestId(),
    });
    res.end(body);
  }

  private sendError(res: ServerResponse, r: RecordedRequest, e: OssError): void {
    const id = requestId();
    const extra = Object.entries(e.extra)
      .map(([k, v]) => el(k, v))
      .join('');
    const xml = xmlDoc('Error', el('Code', e.code) + el('Message', e.message) + el('RequestId', id) + extra);
    if (r.method === 'HEAD') {
      // A HEAD answer has no body: OSS puts the error document, base64, in a header instead.
      res.writeHead(e.status, { 'x-oss-request-id': id, 'x-oss-err': Buffer.from(xml).toString('base64') });
      res.end();
      return;
    }
    this.sendXml(res, e.status, xml);
  }
}

function operationOf(method: string, pathname: string, q: Record<string, string>): Operation {
  const bucketLevel = pathname === '/';
  switch (method) {
    case 'GET':
      if (bucketLevel)
        return 'bucketInfo' in q ? 'GetBucketInfo' : q['list-type'] === '2' ? 'ListObjectsV2' : 'ListObjects';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      return 'uploadId' in q ? 'UploadPart' : 'PutObject';
    case 'POST':
      return 'uploads' in q
        ? 'InitiateMultipartUpload'
        : 'uploadId' in q
          ? 'CompleteMultipartUpload'
          : 'Unknown';
    case 'DELETE':
      return 'uploadId' in q ? 'AbortMultipartUpload' : 'DeleteObject';
    default:
      return 'Unknown';
  }
}

/** The v1 string to sign, written from the OSS documentation rather than from ali-oss's code. */
function canonicalString(
  method: string,
  headers: IncomingHttpHeaders,
  date: string,
  resource: string,
): string {
  const ossHeaders = Object.keys(headers)
    .filter((k) => k.startsWith('x-oss-'))
    .sort()
    .map((k) => `${k}:${String(headers[k]).trim()}`);
  return [
    method,
    headers['content-md5'] ?? '',
    headers['content-type'] ?? '',
    date,
    ...ossHeaders,
    resource,
  ].join('\n');
}

function canonicalSubresources(q: Record<string, string>): string {
  const keys = Object.keys(q)
    .filter((k) => SIGNED_SUBRESOURCES.has(k))
    .sort();
  if (keys.length === 0) return '';
  return `?${keys.map((k) => (q[k] === '' ? k : `${k}=${q[k]}`)).join('&')}`;
}

function contentTypeOf(headers: IncomingHttpHeaders): string {
  return headers['content-type'] ?? 'application/octet-stream';
}

function metadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith('x-oss-meta-') && typeof v === 'string') meta[k.slice('x-oss-meta-'.length)] = v;
  }
  return meta;
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`; null when absent, 'invalid' when unsatisfiable. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? 'invalid' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? 'invalid' : { start, end };
}

const requestId = () => crypto.randomBytes(12).toString('hex').toUpperCase();
