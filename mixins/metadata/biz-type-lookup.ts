import type { Context } from 'moleculer';
import { unknownBizType } from '../../domain/files/upload-rules';

/**
 * A biz type from the metadata service (`metadata.get`, cached there). An unknown code is the
 * caller's mistake (400 UNKNOWN_BIZ_TYPE), not a missing route: metadata.get's 404 (or any code it
 * refuses) never reaches a client as a 404.
 */
export async function lookupBizType<T>(ctx: Pick<Context, 'call'>, code: string): Promise<T> {
  let found: T;
  try {
    found = await ctx.call<T, { code: string }>('metadata.get', { code });
  } catch (e) {
    const status = (e as { code?: unknown }).code;
    if (typeof status === 'number' && status >= 400 && status < 500) throw unknownBizType(code);
    throw e;
  }
  if (!found || typeof found !== 'object') throw unknownBizType(code);
  return found;
}
