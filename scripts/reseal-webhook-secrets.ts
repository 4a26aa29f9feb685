/**
 * Seals every stored webhook secret under the current key (WEBHOOK_SECRETS_KEY, else JWT_SECRET):
 * the last step of rotating either (docs/configuration.md "Rotating secrets").
 *   npx tsx scripts/reseal-webhook-secrets.ts
 * Reads the same environment as the nodes (DATABASE_URL, DATA_DIR, the keys). Safe to run on a
 * live cluster and to run again. Exit codes: 0 done, 1 failed, 2 bad configuration.
 */
import { ConfigError, loadAppConfig } from '../mixins/config/app-config';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { webhookSecretBox } from '../mixins/webhooks/secret-box';
import { resealWebhookSecrets } from '../mixins/webhooks/secret-reseal';

async function main(): Promise<number> {
  let config;
  try {
    config = loadAppConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const ds = await acquireMainDatabase(config.database);
  try {
    const r = await resealWebhookSecrets(ds, webhookSecretBox(config));
    console.log(
      `webhook secrets: ${r.resealed} sealed again under the current key, ${r.current} already current`,
    );
    return 0;
  } finally {
    await releaseMainDatabase(config.database);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  },
);
