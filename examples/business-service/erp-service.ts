/**
 * A business service that asks File Task Center for exports by event and hears the outcome
 * twice: on the bus (exports.succeeded / exports.failed) and as a signed webhook
 * (docs/integration.md "From zero to a webhook-notified, event-requested export").
 *
 *   FTC_TOKEN=ftcsa.… TRANSPORTER=nats://127.0.0.1:4222 NAMESPACE=ftc \
 *   WEBHOOK_PORT=4100 WEBHOOK_SECRET=whsec_… npx tsx examples/business-service/erp-service.ts
 *
 * It imports nothing from File Task Center: only `moleculer` and Node itself.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { ServiceBroker, type Context } from 'moleculer';

const token = process.env.FTC_TOKEN;
const transporter = process.env.TRANSPORTER;
if (!token || !transporter) {
  console.error('Set FTC_TOKEN (a service account token) and TRANSPORTER (the cluster NATS URL).');
  process.exit(2);
}

interface Outcome {
  eventId: string;
  task: { id: string; status: string; name: string } | null;
  requestId?: string;
  error?: { code: string; message: string; retryable?: boolean };
}

/** The export this service asks for: its own id is the idempotency key (one task however often it is sent). */
const requestId = process.env.REQUEST_ID ?? `erp-${new Date().toISOString().slice(0, 10)}`;
const seen = new Set<string>();
let settle: (o: Outcome) => void = () => undefined;
const outcome = new Promise<Outcome>((resolve) => (settle = resolve));

const broker = new ServiceBroker({
  namespace: process.env.NAMESPACE ?? 'ftc',
  nodeID: process.env.NODE_ID ?? `erp-${process.pid}`,
  transporter,
  serializer: 'MsgPack', // File Task Center's nodes speak MsgPack
  logLevel: 'warn',
});

broker.createService({
  // A name of its own: Moleculer hands each event to one instance of each listening service.
  name: 'erp',
  events: {
    'exports.succeeded': { handler: (ctx: Context<Outcome>) => heard('exports.succeeded', ctx.params) },
    'exports.failed': { handler: (ctx: Context<Outcome>) => heard('exports.failed', ctx.params) },
  },
});

/** At least once: the same event may come again (deduplicate by eventId), and others' exports too. */
function heard(type: string, e: Outcome): void {
  if (seen.has(e.eventId) || e.requestId !== requestId) return;
  seen.add(e.eventId);
  console.log(`bus: ${type} for ${requestId}: task ${e.task?.id ?? '-'} ${e.task?.status ?? e.error?.code}`);
  settle(e);
}

/** The webhook receiver: checks the signature over the raw bytes before believing anything. */
function webhookReceiver(port: number, secret: string): http.Server {
  return http
    .createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const expected = Buffer.from(
          `sha256=${crypto.createHmac('sha256', secret).update(raw).digest('hex')}`,
        );
        const given = Buffer.from(String(req.headers['x-ftc-signature'] ?? ''));
        if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
          res.writeHead(401).end();
          return;
        }
        const body = JSON.parse(raw.toString()) as { type: string; data: Outcome };
        console.log(
          `webhook: ${body.type} (delivery ${String(req.headers['x-ftc-delivery'])}) task ${body.data.task?.id ?? '-'}`,
        );
        res.writeHead(204).end(); // any 2xx accepts the delivery; anything else is retried
      });
    })
    .listen(port);
}

async function main(): Promise<void> {
  const port = Number(process.env.WEBHOOK_PORT ?? 0);
  const server =
    port && process.env.WEBHOOK_SECRET ? webhookReceiver(port, process.env.WEBHOOK_SECRET) : null;
  await broker.start();
  await broker.waitForServices(['exportRequests', 'fileTasks'], 30_000);
  // Fire and forget: the answer is an event. Sending it again with the same requestId is safe.
  await broker.emit('exports.requested', {
    requestId,
    token,
    bizType: process.env.BIZ_TYPE ?? 'order_export',
    format: 'csv',
    filters: { status: [1, 2] },
  });
  console.log(`asked for export ${requestId}`);
  const o = await outcome;
  if (o.task?.status === 'SUCCESS') {
    const link = await broker.call<{ url: string }, { id: string }>(
      'fileTasks.downloadUrl',
      { id: o.task.id },
      { meta: { token } },
    );
    console.log(`download: ${link.url}`);
  }
  // Give the webhook a moment to arrive before stopping.
  if (server) await new Promise((r) => setTimeout(r, 5_000));
  server?.close();
  await broker.stop();
}

main().catch(async (e: unknown) => {
  console.error(e);
  await broker.stop();
  process.exit(1);
});
