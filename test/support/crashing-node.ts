/**
 * A node process for crash tests: main.ts's node plus one injected fault, so product code carries
 * no test hook. With FTC_TEST_EXIT_AFTER_READS=N the node kills itself (SIGKILL, no cleanup) while
 * serving its Nth chunk read, the way a machine dies mid-export. Started by startNodeProcess().
 */
import type { Middleware } from 'moleculer';
import { createNode } from '../../main';
import { loadAppConfig } from '../../mixins/config/app-config';
import { READ_CHUNK_ACTION_NAME } from '../../mixins/export-pipeline/chunk-read.contract';

const exitAfterReads = Number(process.env.FTC_TEST_EXIT_AFTER_READS ?? 0);

// Moleculer's Middleware type has no member for a hook's name; cast like callerIdentityMiddleware.
const dieOnNthChunkRead = {
  name: 'DieOnNthChunkRead',
  localAction(next: (ctx: unknown) => Promise<unknown>, action: { name: string }) {
    if (action.name !== `exportWorker.${READ_CHUNK_ACTION_NAME}` || !(exitAfterReads > 0)) return next;
    let reads = 0;
    return (ctx: unknown) => {
      if (++reads < exitAfterReads) return next(ctx);
      process.kill(process.pid, 'SIGKILL');
      return new Promise(() => undefined);
    };
  },
} as unknown as Middleware;

createNode(loadAppConfig(), [dieOnNthChunkRead])
  .start()
  .catch((e: unknown) => {
    console.error('Start-up failed:', e);
    process.exit(1);
  });
