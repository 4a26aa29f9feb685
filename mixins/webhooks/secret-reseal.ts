import type { DataSource } from 'typeorm';
import { WebhookSchema } from '../database/schemas/webhook.schema';
import type { SecretBox } from './secret-box';

export interface ResealReport {
  /** Webhooks whose secret was sealed again under the current key. */
  resealed: number;
  /** Already sealed under the current key. */
  current: number;
}

/**
 * Seals every stored webhook secret under the box's current key: the last step of a key rotation
 * (docs/configuration.md "Rotating secrets"), after which WEBHOOK_SECRETS_PREVIOUS_KEYS can be
 * emptied. Plain secrets stored before encryption existed are sealed too. Each row is replaced
 * only if it still holds the value read (a webhook deleted or recreated meanwhile is left alone),
 * so running it on a live cluster, or twice, is safe. A secret no key opens stops the run
 * (SecretUnreadable) before anything is half done for that row.
 */
export async function resealWebhookSecrets(ds: DataSource, box: SecretBox): Promise<ResealReport> {
  const repo = ds.getRepository(WebhookSchema);
  const report: ResealReport = { resealed: 0, current: 0 };
  for (const row of await repo.find({ select: { id: true, secret: true }, order: { id: 'ASC' } })) {
    if (box.isCurrent(row.secret)) {
      report.current++;
      continue;
    }
    const r = await repo.update(
      { id: row.id, secret: row.secret },
      { secret: box.seal(box.open(row.secret)) },
    );
    if ((r.affected ?? 0) > 0) report.resealed++;
  }
  return report;
}
