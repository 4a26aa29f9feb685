import type { JobQueue } from '../../domain/ports/job-queue.port';
import { nextAttemptAt, signBody, type RetryPolicy } from '../../domain/notifications/webhook';
import type { WebhookRepository } from '../../domain/notifications/webhook.ports';
import { deliveryJobOptions, WEBHOOK_JOB, type DeliveryJobData } from './webhook-fanout';
import { sendOnce } from './webhook-sender';
import { TargetRefused } from './target-guard';
import type { SecretBox } from './secret-box';

export interface DeliveryDeps {
  repo: WebhookRepository;
  queue: JobQueue;
  /** Opens the stored secret (encrypted at rest). */
  secrets: SecretBox;
  policy: RetryPolicy;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Bounds the attempts in flight to one webhook (per node). */
  slot: <T>(webhookId: string, run: () => Promise<T>) => Promise<T>;
  now?: () => Date;
}

/**
 * One attempt of a delivery (a queue job). The next attempt's job is queued BEFORE this attempt is
 * recorded: a crash in between repeats an attempt, never loses the delivery. An attempt is counted
 * once however often its job runs (the conditional update on `attempts`).
 */
export async function attemptDelivery(deps: DeliveryDeps, id: string): Promise<string> {
  const now = deps.now ?? (() => new Date());
  const d = await deps.repo.findDelivery(id);
  if (!d || d.status !== 'PENDING') return 'stale';
  const webhook = await deps.repo.find(d.webhookId);
  if (!webhook) return 'webhook gone';
  const attempt = d.attempts + 1;
  let statusCode: number | null = null;
  let error: string | null = null;
  let permanent = false;
  try {
    // Inside the try: a secret this node cannot open (a changed key) is a failed attempt, retried
    // with backoff, so fixing the configuration within the retry window still delivers.
    const headers = {
      'x-ftc-event': d.event,
      'x-ftc-delivery': d.id,
      'x-ftc-signature': signBody(deps.secrets.open(webhook.secret), d.body),
    };
    ({ statusCode, error } = await deps.slot(webhook.id, () =>
      sendOnce(webhook.url, d.body, headers, { timeoutMs: deps.timeoutMs, allowPrivate: deps.allowPrivate }),
    ));
  } catch (e) {
    error = (e as Error).message;
    permanent = e instanceof TargetRefused;
  }
  const at = now();
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
    await deps.repo.recordAttempt(
      d.id,
      attempt,
      { status: 'DELIVERED', lastStatusCode: statusCode, lastError: null, nextAttemptAt: null },
      at,
    );
    return 'delivered';
  }
  if (error === null) error = `HTTP ${statusCode}`;
  const next = permanent ? null : nextAttemptAt(deps.policy, attempt, d.createdAt, at);
  if (next)
    await deps.queue.add<DeliveryJobData>(
      WEBHOOK_JOB,
      { deliveryId: d.id },
      deliveryJobOptions(d.id, attempt + 1, next.getTime() - at.getTime()),
    );
  await deps.repo.recordAttempt(
    d.id,
    attempt,
    {
      status: next ? 'PENDING' : 'FAILED',
      lastStatusCode: statusCode,
      lastError: error.slice(0, 500),
      nextAttemptAt: next,
    },
    at,
  );
  return next ? 'retrying' : 'failed';
}

/** A per-key bound on concurrent work: waiters are served in arrival order. */
export function keyedLimiter(limit: number) {
  const state = new Map<string, { active: number; waiting: (() => void)[] }>();
  return async <T>(key: string, run: () => Promise<T>): Promise<T> => {
    let s = state.get(key);
    if (!s) state.set(key, (s = { active: 0, waiting: [] }));
    const slot = s;
    if (slot.active >= limit) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    slot.active++;
    try {
      return await run();
    } finally {
      slot.active--;
      const nextWaiter = slot.waiting.shift();
      if (nextWaiter) nextWaiter();
      else if (slot.active === 0) state.delete(key);
    }
  };
}
