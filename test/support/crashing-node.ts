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

/** A middleware that wraps exportWorker's chunk read (and no other action) with `wrap`. */
function aroundChunkReads(name: string, wrap: (next: Handler) => Handler): Middleware {
  // Moleculer's Middleware type has no member for a hook's name; cast like callerIdentityMiddleware.
  return {
    name,
    localAction: (next: Handler, action: { name: string }): Handler =>
      action.name === `exportWorker.${READ_CHUNK_ACTION_NAME}` ? wrap(next) : next,
  } as unknown as Middleware;
}

/** The process dies (SIGKILL) on the `n`th chunk read. */
export const dieOnNthChunkRead = (n: number): Middleware =>
  aroundChunkReads('DieOnNthChunkRead', (next) => {
    let reads = 0;
    return (ctx) => {
      if (++reads < n) return next(ctx);
      process.kill(process.pid, 'SIGKILL');
      return new Promise(() => undefined);
    };
  });

/** Each chunk read takes `ms` longer. */
export const slowChunkReads = (ms: number): Middleware =>
  aroundChunkReads('SlowChunkReads', (next) => async (ctx) => {
    await new Promise((r) => setTimeout(r, ms));
    return next(ctx);
  });

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
