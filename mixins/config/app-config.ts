import fs from 'node:fs';
import path from 'node:path';
import { canonicalTimeZone } from '../../domain/shared/time-zone';
import { REMOTE_READS, type RemoteReads } from '../../domain/exports/reader-choice';

/**
 * Every setting of the system, read once from the environment. With no environment at all the
 * result is the embedded default: one process, SQLite, local disk, the in-process queue, demo data.
 * docs/configuration.md lists every variable; keep the two in step.
 */
/** The namespace of a node that sets no NAMESPACE (the embedded default and single deployments). */
export const DEFAULT_NAMESPACE = 'ftc';

export interface AppConfig {
  /** true when DATABASE_URL is unset: the single-process embedded default. */
  embedded: boolean;
  nodeId: string | undefined;
  namespace: string;
  services: string[];
  transporter: string | null;
  /** Credentials and TLS of the NATS connection (user/password go in TRANSPORTER's URL). */
  nats: NatsSecurity;
  transitMaxChunkSize: number;
  requestTimeoutMs: number;
  retries: number;
  shutdownTimeoutMs: number;
  metricsPort: number | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  logFormat: 'json' | 'short' | 'full';
  http: {
    host: string;
    port: number;
    jsonBodyLimit: string;
    uploadMaxBytes: number;
    /** Longest time a client may take to send one whole request (an upload): Node's requestTimeout. */
    requestTimeoutMs: number;
    /** The hot GET reads skip moleculer-web's per-request wrapping (mixins/http/direct-reads.ts). */
    directReads: boolean;
  };
  downloads: {
    /** Secret of the signed download links; falls back to JWT_SECRET, then a generated file. */
    linkSecret: string | null;
    linkTtlSeconds: number;
    /** Origin put in front of download links; null: the gateway's own address. */
    publicBaseUrl: string | null;
    /** 'stream': the gateway streams the bytes; 'oss': redirect to a signed OSS URL (OSS only). */
    redirect: 'stream' | 'oss';
  };
  dataDir: string;
  database: DatabaseConfig;
  shopDatabase: DatabaseConfig;
  redisUrl: string | null;
  /**
   * QUEUE_LOCK_SECONDS: how long a job's lock holds without renewal, after which a job of a dead
   * worker is handed out again (looked for at least every half lock). Null: each queue's own (bull
   * 60 s with a check every 30 s, the embedded queue 30 s with a check every 5 s).
   */
  queueLockMs: number | null;
  cacher: 'memory' | 'redis';
  oss: OssConfig | null;
  auth: {
    jwtSecret: string | null;
    jwtTtlSeconds: number;
    /** The first admin's password: ADMIN_PASSWORD, the embedded default "admin", or null (generated). */
    adminPassword: string | null;
    adminPasswordFromEnv: boolean;
  };
  logs: {
    /** HMAC key of the operation log's hash chain; kept outside the database. */
    chainKey: string | null;
    relayBatchSize: number;
    relayIntervalMs: number;
  };
  demo: { enabled: boolean; orders: number };
  exports: ExportConfig;
  scheduler: SchedulerConfig;
  webhooks: WebhookConfig;
}

/** Webhook deliveries (docs/integration.md). */
export interface WebhookConfig {
  /** Loopback, private and link-local targets are refused unless this is true. */
  allowPrivate: boolean;
  /** One attempt's limit, connection to last byte. */
  timeoutMs: number;
  /** First retry delay; doubles per attempt (with jitter) up to `retryMaxDelayMs`. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** A delivery is retried until it is this old, then marked FAILED. */
  retryWindowMs: number;
  /** Deliveries one node sends at once, in all. */
  concurrency: number;
  /** Deliveries one node sends at once to one webhook. */
  perEndpoint: number;
  /** Key material of the secrets' encryption at rest; null: the JWT secret (secret-box.ts). */
  secretsKey: string | null;
  /** Earlier key materials (WEBHOOK_SECRETS_PREVIOUS_KEYS): they still open stored secrets. */
  previousSecretsKeys: string[];
}

/** Retention defaults of the archival job; an admin's rule may override them per job. */
export interface SchedulerConfig {
  /** File task records (finished, holding no bytes) move to the cold table this long after their last update. */
  fileTaskRetentionDays: number;
  /** Operation log entries move to the cold table at this age. */
  logRetentionDays: number;
  /** The expiry job deletes temp files of writers that died (a killed export node) once untouched this long. */
  tempFileMaxAgeMs: number;
  /** Export schedules may not fire more often than this (EXPORT_SCHEDULE_MIN_INTERVAL_SECONDS). */
  scheduleMinIntervalSeconds: number;
}

export interface ExportConfig {
  /** Named data sources of `sql` data handlers (EXPORT_SOURCES); `shop` is the demo shop. */
  sources: Record<string, DatabaseConfig>;
  /** Rows per planned chunk (a key range read by one export node). */
  chunkRows: number;
  /** Rows per batch (one balanced call). */
  batchRows: number;
  /** Batches read ahead of the writer: the backpressure bound. */
  window: number;
  /** Exports one export node coordinates at once; 0: the node only serves chunk reads. */
  concurrency: number;
  /** How long one batch read may take before it is re-read on another node. */
  readTimeoutMs: number;
  /** Where batches are read (EXPORT_REMOTE_READS): locally, on spare nodes too, or round robin. */
  remoteReads: RemoteReads;
  leaseSeconds: number;
  maxAttempts: number;
  retryDelayMs: number;
  /** How long failures because a dependency is unreachable are waited out without spending attempts. */
  outageWindowMs: number;
  /** How often progress and the lease are written. */
  heartbeatMs: number;
  /** Zone of datetime cells and filters when neither the request nor the biz type names one (null: UTC). */
  defaultTimeZone: string | null;
  /** Exports of one user running at once across the cluster (fair scheduling). */
  userConcurrency: number;
}

export type DatabaseConfig = { type: 'sqlite'; file: string } | { type: 'mysql'; url: string };

export interface OssConfig {
  region: string;
  bucket: string;
  accessKeyId: string;
  accessKeySecret: string;
  endpoint: string | null;
  secure: boolean;
  prefix: string;
  multipartThreshold: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface NatsSecurity {
  /** NATS_TOKEN: the server's authorization token. */
  token: string | null;
  /** NATS_CREDS_FILE: a user JWT + nkey seed file (NATS decentralised auth). */
  credsFile: string | null;
  /** NATS_NKEY_SEED_FILE: a file holding a user nkey seed (SU…). */
  nkeySeedFile: string | null;
  /** NATS_TLS=true or any NATS_TLS_*_FILE: TLS to the server, with these files when given. */
  tls: { caFile?: string; certFile?: string; keyFile?: string } | null;
}

function natsSecurity(env: Env): NatsSecurity {
  const file = (name: string) => {
    const v = str(env, name);
    if (v !== null && !fs.existsSync(v)) throw new ConfigError(`${name}: no file at ${v}`);
    return v;
  };
  const caFile = file('NATS_TLS_CA_FILE');
  const certFile = file('NATS_TLS_CERT_FILE');
  const keyFile = file('NATS_TLS_KEY_FILE');
  if ((certFile === null) !== (keyFile === null))
    throw new ConfigError('NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together (a client certificate)');
  const anyTlsFile = caFile !== null || certFile !== null;
  return {
    token: str(env, 'NATS_TOKEN'),
    credsFile: file('NATS_CREDS_FILE'),
    nkeySeedFile: file('NATS_NKEY_SEED_FILE'),
    tls:
      bool(env, 'NATS_TLS', false) || anyTlsFile
        ? {
            ...(caFile ? { caFile } : {}),
            ...(certFile ? { certFile } : {}),
            ...(keyFile ? { keyFile } : {}),
          }
        : null,
  };
}

/** Named groups for SERVICES, so a deployment says `SERVICES=core` instead of a list. */
export const SERVICE_GROUPS: Record<string, string[]> = {
  all: [
    'api',
    'directory',
    'operationLogs',
    'permissions',
    'metadata',
    'fileTasks',
    'exports',
    'shop',
    'exportWorker',
    'scheduler',
    'webhooks',
    'exportRequests',
    'exportSchedules',
  ],
  gateway: ['api'],
  core: [
    'directory',
    'operationLogs',
    'permissions',
    'metadata',
    'fileTasks',
    'exports',
    'shop',
    'scheduler',
    'webhooks',
    'exportRequests',
    'exportSchedules',
  ],
  export: ['exportWorker'],
};
export const KNOWN_SERVICES = new Set(SERVICE_GROUPS.all);

type Env = Record<string, string | undefined>;

const str = (env: Env, name: string): string | null => {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
};

const int = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = str(env, name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
};

const bool = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = str(env, name);
  if (raw === null) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
};

const oneOf = <T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T => {
  const raw = str(env, name);
  if (raw === null) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
};

export function parseServices(raw: string | null): string[] {
  const names = (raw ?? 'all')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out = new Set<string>();
  for (const name of names) {
    const group = SERVICE_GROUPS[name];
    if (group) group.forEach((s) => out.add(s));
    else if (KNOWN_SERVICES.has(name)) out.add(name);
    else {
      throw new ConfigError(
        `SERVICES: unknown service or group "${name}" (known: ${[...Object.keys(SERVICE_GROUPS), ...KNOWN_SERVICES].join(', ')})`,
      );
    }
  }
  if (out.size === 0) throw new ConfigError('SERVICES names no service');
  return [...out];
}

function database(url: string | null, dataDir: string, file: string, name: string): DatabaseConfig {
  if (url === null) return { type: 'sqlite', file: path.join(dataDir, file) };
  if (/^(mysql|mariadb):\/\//.test(url)) return { type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:') };
  if (url.startsWith('sqlite:')) return { type: 'sqlite', file: url.slice('sqlite:'.length) };
  throw new ConfigError(`${name} must start with mysql://, mariadb:// or sqlite:, got "${url}"`);
}

/**
 * The demo shop's own database. Unset, it follows the main database: a `<name>_shop` database on
 * the same MySQL server (so every core node sees the same shop), or a SQLite file beside the main one.
 */
function shopDatabase(shopUrl: string | null, mainUrl: string | null, dataDir: string): DatabaseConfig {
  if (shopUrl !== null) return database(shopUrl, dataDir, 'shop.sqlite', 'SHOP_DATABASE_URL');
  const main = database(mainUrl, dataDir, 'ftc.sqlite', 'DATABASE_URL');
  if (main.type === 'sqlite')
    return { type: 'sqlite', file: path.join(path.dirname(main.file), 'shop.sqlite') };
  const u = new URL(main.url);
  u.pathname = `/${decodeURIComponent(u.pathname.replace(/^\//, '')) || 'ftc'}_shop`;
  return { type: 'mysql', url: u.toString() };
}

function oss(env: Env): OssConfig | null {
  const bucket = str(env, 'OSS_BUCKET');
  if (bucket === null) return null;
  const need = (name: string) => {
    const v = str(env, name);
    if (v === null) throw new ConfigError(`${name} is required when OSS_BUCKET is set`);
    return v;
  };
  return {
    bucket,
    region: need('OSS_REGION'),
    accessKeyId: need('OSS_ACCESS_KEY_ID'),
    accessKeySecret: need('OSS_ACCESS_KEY_SECRET'),
    endpoint: str(env, 'OSS_ENDPOINT'),
    secure: bool(env, 'OSS_SECURE', true),
    prefix: (str(env, 'OSS_PREFIX') ?? '').replace(/^\/+/, ''),
    multipartThreshold: int(env, 'OSS_MULTIPART_THRESHOLD', 16 * 1024 * 1024, 100 * 1024, 5 * 1024 ** 3),
  };
}

/** EXPORT_SOURCES: `name=url,name2=url2`; the demo shop is always `shop` unless redefined. */
const timeZone = (env: Env, name: string): string | null => {
  const raw = str(env, name);
  if (raw === null) return null;
  const zone = canonicalTimeZone(raw);
  if (zone === null)
    throw new ConfigError(`${name} must be an IANA time zone such as Asia/Shanghai, got "${raw}"`);
  return zone;
};

function exportConfig(env: Env, shop: DatabaseConfig, dataDir: string): ExportConfig {
  const sources: Record<string, DatabaseConfig> = { shop };
  for (const part of (str(env, 'EXPORT_SOURCES') ?? '').split(',')) {
    if (part.trim() === '') continue;
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new ConfigError(`EXPORT_SOURCES: expected name=url, got "${part.trim()}"`);
    sources[m[1]] = database(m[2], dataDir, `${m[1]}.sqlite`, `EXPORT_SOURCES ${m[1]}`);
  }
  return {
    sources,
    chunkRows: int(env, 'EXPORT_CHUNK_ROWS', 50_000, 1_000, 10_000_000),
    batchRows: int(env, 'EXPORT_BATCH_ROWS', 1_000, 10, 5_000),
    window: int(env, 'EXPORT_WINDOW', 8, 1, 64),
    concurrency: int(env, 'EXPORT_CONCURRENCY', 2, 0, 32),
    readTimeoutMs: int(env, 'EXPORT_READ_TIMEOUT_MS', 60_000, 500, 600_000),
    remoteReads: oneOf(env, 'EXPORT_REMOTE_READS', REMOTE_READS, 'spare'),
    leaseSeconds: int(env, 'EXPORT_LEASE_SECONDS', 60, 5, 3600),
    maxAttempts: int(env, 'EXPORT_MAX_ATTEMPTS', 3, 1, 20),
    retryDelayMs: int(env, 'EXPORT_RETRY_DELAY_MS', 5_000, 0, 3_600_000),
    outageWindowMs: int(env, 'EXPORT_OUTAGE_WINDOW_SECONDS', 600, 0, 86_400) * 1000,
    heartbeatMs: int(env, 'EXPORT_HEARTBEAT_MS', 1_000, 100, 60_000),
    defaultTimeZone: timeZone(env, 'DEFAULT_TIME_ZONE'),
    userConcurrency: int(env, 'EXPORT_USER_CONCURRENCY', 2, 1, 100),
  };
}

export function loadAppConfig(env: Env = process.env): AppConfig {
  const dataDir = path.resolve(str(env, 'DATA_DIR') ?? './data');
  const databaseUrl = str(env, 'DATABASE_URL');
  const embedded = databaseUrl === null;
  const redisUrl = str(env, 'REDIS_URL');
  const transporter = str(env, 'TRANSPORTER');
  if (transporter !== null && !/^nats:\/\//.test(transporter)) {
    throw new ConfigError(`TRANSPORTER must be a nats:// URL, got "${transporter}"`);
  }
  const cacher = oneOf(env, 'CACHER', ['memory', 'redis'] as const, redisUrl ? 'redis' : 'memory');
  if (cacher === 'redis' && !redisUrl) throw new ConfigError('CACHER=redis needs REDIS_URL');
  const jwtSecret = str(env, 'JWT_SECRET');
  if (jwtSecret !== null && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters');
  }
  const linkSecret = str(env, 'DOWNLOAD_LINK_SECRET');
  if (linkSecret !== null && linkSecret.length < 32) {
    throw new ConfigError('DOWNLOAD_LINK_SECRET must be at least 32 characters');
  }
  const webhookSecretsKey = str(env, 'WEBHOOK_SECRETS_KEY');
  if (webhookSecretsKey !== null && webhookSecretsKey.length < 32) {
    throw new ConfigError('WEBHOOK_SECRETS_KEY must be at least 32 characters');
  }
  // Comma-separated: key materials never hold commas in practice (hex, base64, passphrases of
  // letters); a short one is a truncated paste, refused like the current key.
  const previousSecretsKeys = (str(env, 'WEBHOOK_SECRETS_PREVIOUS_KEYS') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (previousSecretsKeys.some((k) => k.length < 32)) {
    throw new ConfigError('every key in WEBHOOK_SECRETS_PREVIOUS_KEYS must be at least 32 characters');
  }
  const publicBaseUrl = str(env, 'PUBLIC_BASE_URL');
  if (publicBaseUrl !== null && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(publicBaseUrl)) {
    throw new ConfigError(`PUBLIC_BASE_URL must be an http(s) URL without query, got "${publicBaseUrl}"`);
  }
  const chainKey = str(env, 'LOG_CHAIN_KEY');
  if (chainKey !== null && chainKey.length < 32)
    throw new ConfigError('LOG_CHAIN_KEY must be at least 32 characters');
  if (!embedded && transporter !== null && chainKey === null) {
    // Relays on several nodes extend one hash chain: they must share its key.
    throw new ConfigError(
      'LOG_CHAIN_KEY is required when several nodes share a database (TRANSPORTER is set)',
    );
  }
  if (!embedded && transporter !== null && jwtSecret === null) {
    // Each node would otherwise sign with its own secret and reject the others' tokens.
    throw new ConfigError('JWT_SECRET is required when several nodes share a database (TRANSPORTER is set)');
  }
  const ossConfig = oss(env);
  const redirect = oneOf(env, 'DOWNLOAD_REDIRECT', ['stream', 'oss'] as const, 'stream');
  if (redirect === 'oss' && ossConfig === null) {
    throw new ConfigError('DOWNLOAD_REDIRECT=oss needs OSS storage (OSS_BUCKET)');
  }
  return {
    embedded,
    nodeId: str(env, 'NODE_ID') ?? undefined,
    namespace: str(env, 'NAMESPACE') ?? DEFAULT_NAMESPACE,
    services: parseServices(str(env, 'SERVICES')),
    transporter,
    nats: natsSecurity(env),
    // ≤ 128 KiB: a bigger MsgPack chunk can exceed NATS's 1 MiB payload limit (DESIGN.md).
    transitMaxChunkSize: int(env, 'TRANSIT_MAX_CHUNK_SIZE', 64 * 1024, 1024, 128 * 1024),
    requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    retries: int(env, 'RETRIES', 3, 0, 10),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    metricsPort: str(env, 'METRICS_PORT') === null ? null : int(env, 'METRICS_PORT', 0, 1, 65535),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'short', 'full'] as const, embedded ? 'short' : 'json'),
    http: {
      // The embedded default ships a known admin password: listen on loopback only unless told.
      host: str(env, 'HOST') ?? (embedded ? '127.0.0.1' : '0.0.0.0'),
      port: int(env, 'PORT', 3000, 0, 65535),
      jsonBodyLimit: str(env, 'JSON_BODY_LIMIT') ?? '1mb',
      uploadMaxBytes: int(env, 'UPLOAD_MAX_BYTES', 1024 ** 3, 1, 1024 ** 4),
      // Node's 5-minute default would cut a 1 GiB upload over anything slower than ~3.6 MB/s.
      requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 3_600_000, 1000, 24 * 3_600_000),
      directReads: bool(env, 'HTTP_DIRECT_READS', true),
    },
    downloads: {
      linkSecret,
      linkTtlSeconds: int(env, 'DOWNLOAD_LINK_TTL_SECONDS', 300, 1, 7 * 24 * 3600),
      publicBaseUrl: publicBaseUrl === null ? null : publicBaseUrl.replace(/\/+$/, ''),
      redirect,
    },
    dataDir,
    database: database(databaseUrl, dataDir, 'ftc.sqlite', 'DATABASE_URL'),
    shopDatabase: shopDatabase(str(env, 'SHOP_DATABASE_URL'), databaseUrl, dataDir),
    redisUrl,
    queueLockMs:
      str(env, 'QUEUE_LOCK_SECONDS') === null ? null : int(env, 'QUEUE_LOCK_SECONDS', 60, 5, 3600) * 1000,
    cacher,
    oss: ossConfig,
    auth: {
      jwtSecret,
      jwtTtlSeconds: int(env, 'JWT_TTL_SECONDS', 8 * 3600, 60, 30 * 24 * 3600),
      adminPassword: str(env, 'ADMIN_PASSWORD') ?? (embedded ? 'admin' : null),
      adminPasswordFromEnv: str(env, 'ADMIN_PASSWORD') !== null,
    },
    logs: {
      chainKey,
      relayBatchSize: int(env, 'LOG_RELAY_BATCH_SIZE', 500, 1, 5000),
      relayIntervalMs: int(env, 'LOG_RELAY_INTERVAL_MS', 500, 10, 60_000),
    },
    exports: exportConfig(env, shopDatabase(str(env, 'SHOP_DATABASE_URL'), databaseUrl, dataDir), dataDir),
    scheduler: {
      fileTaskRetentionDays: int(env, 'ARCHIVE_FILE_TASKS_AFTER_DAYS', 180, 1, 36_500),
      logRetentionDays: int(env, 'ARCHIVE_LOGS_AFTER_DAYS', 365, 1, 36_500),
      tempFileMaxAgeMs: int(env, 'TEMP_FILES_MAX_AGE_MINUTES', 15, 1, 10_080) * 60_000,
      scheduleMinIntervalSeconds: int(env, 'EXPORT_SCHEDULE_MIN_INTERVAL_SECONDS', 60, 0, 86_400),
    },
    webhooks: {
      allowPrivate: bool(env, 'WEBHOOK_ALLOW_PRIVATE', false),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      retryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 10_000, 10, 3_600_000),
      retryMaxDelayMs: int(env, 'WEBHOOK_RETRY_MAX_DELAY_MS', 3_600_000, 10, 24 * 3_600_000),
      retryWindowMs: int(env, 'WEBHOOK_RETRY_HOURS', 24, 1, 24 * 30) * 3_600_000,
      concurrency: int(env, 'WEBHOOK_CONCURRENCY', 8, 1, 256),
      perEndpoint: int(env, 'WEBHOOK_ENDPOINT_CONCURRENCY', 2, 1, 64),
      secretsKey: webhookSecretsKey,
      previousSecretsKeys,
    },
    demo: {
      enabled: bool(env, 'DEMO_DATA', embedded),
      orders: int(env, 'DEMO_ORDERS', 100_000, 0, 100_000_000),
    },
  };
}
