/**
 * Dependency rules (`npm run lint`): no import cycles, and imports go one way only:
 * services → mixins → domain, with domain/ importing nothing outside itself, no framework and no
 * I/O module (docs/architecture.md "Layers").
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: break it with a port or by moving the shared part down.',
      from: { path: '^(domain|mixins|services|scripts)/|^main\\.ts$|^moleculer\\.config\\.ts$' },
      to: { circular: true },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'domain/ is pure: it depends on ports in domain/, never on adapters or services.',
      from: { path: '^domain/' },
      to: { path: '^(mixins|services|scripts|test|bench|web)/|^main\\.ts$|^moleculer\\.config\\.ts$' },
    },
    {
      name: 'domain-no-frameworks',
      severity: 'error',
      comment:
        'domain/ names no framework, driver or I/O library (pure libraries such as cron-parser, luxon or ssf are fine): an adapter in mixins/ does.',
      from: { path: '^domain/' },
      to: {
        path: 'node_modules/(moleculer[^/]*|typeorm|bull|ioredis|exceljs|ali-oss|mysql2|better-sqlite3|nats|busboy|jsonwebtoken|csv-stringify|msgpack5)/',
      },
    },
    {
      name: 'domain-no-io',
      severity: 'error',
      comment: 'domain/ does no I/O: files, sockets, processes and threads are adapters.',
      from: { path: '^domain/' },
      to: {
        dependencyTypes: ['core'],
        path: '^(node:)?(fs|fs/promises|http|https|http2|net|tls|dgram|dns|child_process|cluster|worker_threads|os|process|readline|vm|v8)$',
      },
    },
    {
      name: 'no-domain-folder-loops',
      severity: 'error',
      comment: 'exports builds on file-tasks and metadata; they never import exports back.',
      from: { path: '^domain/(file-tasks|metadata)/' },
      to: { path: '^domain/exports/' },
    },
    {
      name: 'adapters-not-services',
      severity: 'error',
      comment: 'mixins/ (adapters, infrastructure) never imports a service.',
      from: { path: '^mixins/' },
      to: { path: '^services/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|web|bench/results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
