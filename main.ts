import { ServiceBroker, type Middleware } from 'moleculer';
import { ConfigError, loadAppConfig, type AppConfig } from './mixins/config/app-config';
import { brokerOptions } from './moleculer.config';
import { SERVICE_FACTORIES } from './services';

/**
 * Creates a broker running the services of `config.services` (not started). `middlewares` come
 * after the configured ones: the seam through which a test injects a fault (test/support/crashing-node.ts).
 */
export function createNode(config: AppConfig, middlewares: Middleware[] = []): ServiceBroker {
  const options = brokerOptions(config);
  const broker = new ServiceBroker({
    ...options,
    middlewares: [...(options.middlewares ?? []), ...middlewares],
  });
  for (const name of config.services) {
    const factory = SERVICE_FACTORIES[name];
    if (!factory) throw new ConfigError(`SERVICES: service "${name}" is not available in this build`);
    broker.createService(factory(config));
  }
  return broker;
}

function banner(config: AppConfig): string {
  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  const lines = [
    `File Task Center is up: http://${host}:${config.http.port}/ (web console; API health: /api/health)`,
  ];
  if (config.embedded) {
    lines.push(
      `Embedded default: SQLite, local disk and the in-process queue under ${config.dataDir}`,
      `Sign in: POST http://${host}:${config.http.port}/api/auth/login {"username":"admin","password":"${config.auth.adminPassword ?? '<ADMIN_PASSWORD>'}"}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  let config: AppConfig;
  let broker: ServiceBroker;
  try {
    config = loadAppConfig();
    broker = createNode(config);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`Configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  await broker.start();
  if (config.services.includes('api')) console.log(`\n${banner(config)}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error('Start-up failed:', e);
    process.exit(1);
  });
}
