import path from 'node:path';

/**
 * Every setting of the system, read once from the environment. With no environment at all the
 * result is the embedded default: one process, SQLite, local disk, the in-process queue, demo data.
 * docs/configuration.md lists every variable; keep the two in step.
 */
export interface AppConfig {
  /** true when DATABASE_URL is unset: the single-process embedded default. */
  embedded: boolean;
  nodeId: string | undefined;
  namespace: string;
  services: string[];
  transporter: string | null;
  transitMaxChunkSize: number;
  requestTimeoutMs: number;
  retries: number;
  shutdownTimeoutMs: number;
  metricsPort: number | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  logFormat: 'json' | 'short' | 'full';
  http: { host: string; port: number; jsonBodyLimit: string; uploadMaxBytes: number };
  dataDir: string;
  database: DatabaseConfig;
  shopDatabase: DatabaseConfig;
  redisUrl: string | null;
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

/** Named groups for SERVICES, so a deployment says `SERVICES=core` instead of a list. */
export const SERVICE_GROUPS: Record<string, string[]> = {
  all: ['api', 'directory', 'operationLogs', 'permissions', 'fileTasks', 'shop', 'exports'],
  gateway: ['api'],
  core: ['directory', 'operationLogs', 'permissions', 'fileTasks', 'shop'],
  export: ['exports'],
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
  return {
    embedded,
    nodeId: str(env, 'NODE_ID') ?? undefined,
    namespace: str(env, 'NAMESPACE') ?? 'ftc',
    services: parseServices(str(env, 'SERVICES')),
    transporter,
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
    },
    dataDir,
    database: database(databaseUrl, dataDir, 'ftc.sqlite', 'DATABASE_URL'),
    shopDatabase: shopDatabase(str(env, 'SHOP_DATABASE_URL'), databaseUrl, dataDir),
    redisUrl,
    cacher,
    oss: oss(env),
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
    demo: {
      enabled: bool(env, 'DEMO_DATA', embedded),
      orders: int(env, 'DEMO_ORDERS', 100_000, 0, 100_000_000),
    },
  };
}
