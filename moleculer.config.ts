import fs from 'node:fs';
import type { BrokerOptions, Errors } from 'moleculer';
import { credsAuthenticator, nkeyAuthenticator } from 'nats';
import type { AppConfig } from './mixins/config/app-config';
import { callerIdentityMiddleware } from './mixins/auth/caller-identity.middleware';
import { BufferedConsoleLogger } from './mixins/logging/buffered-console.logger';
import { MsgpackSerializer } from './mixins/broker/msgpack.serializer';

/**
 * Moleculer's own middlewares, in its order. They are listed here (internalMiddlewares: false)
 * only so that caller identity can come after them: the last registered wraps outermost, and the
 * identity check must run before the cacher can answer from cache or the validator can describe
 * the parameters to a caller who is nobody.
 */
const MOLECULER_MIDDLEWARES = [
  'ActionHook',
  'Validator',
  'Bulkhead',
  'Cacher',
  'ContextTracker',
  'CircuitBreaker',
  'Timeout',
  'Retry',
  'Fallback',
  'ErrorHandler',
  'Tracing',
  'Metrics',
  'Debounce',
  'Throttle',
];

/**
 * NATS with the deployment's credentials: user and password from TRANSPORTER's URL (Moleculer
 * reads them), or a token, a creds file or an nkey seed, and TLS. Every node that can connect is
 * inside the trust boundary (docs/operations.md "Trust boundary").
 */
function natsTransporter(config: AppConfig) {
  const n = config.nats;
  const authenticator = n.credsFile
    ? credsAuthenticator(fs.readFileSync(n.credsFile))
    : n.nkeySeedFile
      ? nkeyAuthenticator(new TextEncoder().encode(fs.readFileSync(n.nkeySeedFile, 'utf8').trim()))
      : undefined;
  return {
    type: 'NATS',
    options: {
      url: config.transporter!,
      maxReconnectAttempts: -1,
      ...(n.token ? { token: n.token } : {}),
      ...(authenticator ? { authenticator } : {}),
      ...(n.tls ? { tls: n.tls } : {}),
    },
  };
}
/**
 * Broker options, every one from the environment (through AppConfig) with the embedded defaults of
 * DESIGN.md. Retries, the circuit breaker, request timeouts and request tracking are all off in
 * Moleculer by default; each is turned on here on purpose.
 */
export function brokerOptions(config: AppConfig): BrokerOptions {
  return {
    namespace: config.namespace,
    nodeID: config.nodeId,
    // moleculer's Console logger, its lines written in batches (one write per event-loop turn).
    logger: new BufferedConsoleLogger({
      level: config.logLevel,
      formatter: config.logFormat,
      colors: process.stdout.isTTY === true,
      moduleColors: false,
    }) as unknown as BrokerOptions['logger'],
    logLevel: config.logLevel,
    transporter: config.transporter ? natsTransporter(config) : null,
    // MsgPack keeps binary stream chunks binary; JSON would grow them 4x past NATS's 1 MiB payload.
    // The same bytes as Moleculer's 'MsgPack' (msgpack5), written by msgpackr: see msgpack.serializer.ts.
    serializer: new MsgpackSerializer(),
    transit: { maxChunkSize: config.transitMaxChunkSize, maxQueueSize: 50_000 },
    cacher:
      config.cacher === 'redis'
        ? {
            type: 'Redis',
            options: {
              redis: config.redisUrl!,
              prefix: `${config.namespace}-cache`,
              ttl: 300,
              monitor: false,
            },
          }
        : { type: 'MemoryLRU', options: { max: 10_000, ttl: 300 } },
    requestTimeout: config.requestTimeoutMs,
    retryPolicy: {
      enabled: config.retries > 0,
      retries: config.retries,
      delay: 100,
      maxDelay: 2000,
      factor: 2,
      // Only errors that say they are safe to retry (node gone, timeout, 503), never a 4xx.
      check: (err: Error | Errors.MoleculerError) => 'retryable' in err && err.retryable === true,
    },
    circuitBreaker: {
      enabled: true,
      threshold: 0.5,
      minRequestCount: 20,
      windowTime: 60,
      halfOpenTime: 10_000,
      check: (err: Error | Errors.MoleculerError) =>
        'code' in err && typeof err.code === 'number' && err.code >= 500,
    },
    // Graceful shutdown: on SIGTERM the broker waits for in-flight requests before it stops.
    tracking: { enabled: true, shutdownTimeout: config.shutdownTimeoutMs },
    registry: { strategy: 'RoundRobin', preferLocal: true },
    heartbeatInterval: 5,
    heartbeatTimeout: 15,
    metrics: config.metricsPort
      ? {
          enabled: true,
          reporter: [{ type: 'Prometheus', options: { port: config.metricsPort, path: '/metrics' } }],
        }
      : { enabled: false },
    tracing: { enabled: false },
    internalMiddlewares: false,
    middlewares: [...MOLECULER_MIDDLEWARES, callerIdentityMiddleware(config)],
  };
}
