/**
 * A business service calling File Task Center over the transporter with a service account's
 * token (docs/integration.md "Calling File Task Center from a business service").
 *
 *   FTC_TOKEN=ftcsa.… TRANSPORTER=nats://ftc:<password>@127.0.0.1:4222 NAMESPACE=ftc \
 *     npx tsx examples/trusted-caller/billing-service.ts
 *
 * It lists the file tasks it may see, asks for an export of the demo orders, and follows the
 * export until it ends. It imports nothing from File Task Center: only `moleculer`.
 */
import { ServiceBroker } from 'moleculer';

const token = process.env.FTC_TOKEN;
const transporter = process.env.TRANSPORTER;
if (!token || !transporter) {
  console.error('Set FTC_TOKEN (a service account token) and TRANSPORTER (the cluster NATS URL).');
  process.exit(2);
}

// The credential goes in meta.token on every call. A meta.user object would be ignored.
const asBilling = { meta: { token } };

const broker = new ServiceBroker({
  namespace: process.env.NAMESPACE ?? 'ftc',
  nodeID: process.env.NODE_ID ?? `billing-${process.pid}`,
  transporter,
  // File Task Center's nodes speak MsgPack: a caller must too.
  serializer: 'MsgPack',
  logLevel: 'warn',
  requestTimeout: 30_000,
});

interface Page {
  items: { id: string; name: string; status: string }[];
  nextCursor: string | null;
}

async function main(): Promise<void> {
  await broker.start();
  await broker.waitForServices(['fileTasks', 'exports'], 30_000);

  const page = await broker.call<Page, object>('fileTasks.list', { limit: 5 }, asBilling);
  console.log(`${page.items.length} file task(s) visible to this service account`);

  const bizType = process.env.BIZ_TYPE ?? 'order_export';
  const task = await broker.call<{ id: string; status: string }, object>(
    'exports.create',
    {
      bizType,
      format: 'csv',
      filters: {},
      idempotencyKey: `billing-${new Date().toISOString().slice(0, 10)}`,
    },
    asBilling,
  );
  console.log(`export ${task.id}: ${task.status}`);
  for (let i = 0; i < 120; i++) {
    const now = await broker.call<{ status: string }, object>('fileTasks.get', { id: task.id }, asBilling);
    if (now.status === 'SUCCESS' || now.status === 'FAILED' || now.status === 'CANCELLED') {
      console.log(`export ${task.id}: ${now.status}`);
      if (now.status === 'SUCCESS') {
        const link = await broker.call<{ url: string }, object>(
          'fileTasks.downloadUrl',
          { id: task.id },
          asBilling,
        );
        console.log(`download (5 minutes): ${link.url}`);
      }
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

main()
  .catch((e: { code?: number; type?: string; message?: string }) => {
    // 401: the token is wrong, revoked or its account deleted; 403: it lacks a grant; 503: retry.
    console.error(`failed: ${e.code ?? ''} ${e.type ?? ''} ${e.message ?? 'unknown error'}`);
    process.exitCode = 1;
  })
  .finally(() => broker.stop());
