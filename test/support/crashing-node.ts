/**
 * A node process for fault tests: main.ts's node plus injected faults, so product code carries no
 * test hook. With FTC_TEST_EXIT_AFTER_READS=N the node kills itself (SIGKILL, no cleanup) while
 * serving its Nth chunk read, the way a machine dies mid-export. With FTC_TEST_CHUNK_DELAY_MS=M
 * every chunk read takes M ms longer, so an export lasts long enough on a fast, quiet machine for a
 * test to see it running. Started by startNodeProcess().
 */
import type { Middleware } from 'moleculer';
import { createNode } from '../../main';
import { loadAppConfig } from '../../mixins/config/app-config';
import { READ_CHUNK_ACTION_NAME } from '../../mixins/export-pipeline/chunk-read.contract';

type Handler = (ctx: unknown) => Promise<unknown>;

/** Wraps exportWorker's chunk read so the process dies (SIGKILL) on the `n`th call. */
export function dieOnNthChunkRead(n: number): Middleware {
  // Moleculer's Middleware type has no member for a hook's name; cast like callerIdentityMiddleware.
  return {
    name: 'DieOnNthChunkRead',
    localAction(next: Handler, action: { name: string }): Handler {
      if (action.name !== `exportWorker.${READ_CHUNK_ACTION_NAME}`) return next;
      let reads = 0;
      return (ctx) => {
        if (++reads < n) return next(ctx);
        process.kill(process.pid, 'SIGKILL');
        return new Promise(() => undefined);
      };
    },
  } as unknown as Middleware;
}

/** Wraps exportWorker's chunk read so each call takes `ms` longer. */
export function slowChunkReads(ms: number): Middleware {
  return {
    name: 'SlowChunkReads',
    localAction(next: Handler, action: { name: string }): Handler {
      if (action.name !== `exportWorker.${READ_CHUNK_ACTION_NAME}`) return next;
      return async (ctx) => {
        await new Promise((r) => setTimeout(r, ms));
        return next(ctx);
      };
    },
  } as unknown as Middleware;
}

if (require.main === module) {
  const n = Number(process.env.FTC_TEST_EXIT_AFTER_READS ?? 0);
  const delay = Number(process.env.FTC_TEST_CHUNK_DELAY_MS ?? 0);
  createNode(loadAppConfig(), [
    ...(n > 0 ? [dieOnNthChunkRead(n)] : []),
    ...(delay > 0 ? [slowChunkReads(delay)] : []),
  ])
    .start()
    .catch((e: unknown) => {
      console.error('Start-up failed:', e);
      process.exit(1);
    });
}
