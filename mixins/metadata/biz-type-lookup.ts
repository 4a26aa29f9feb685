import type { Context } from 'moleculer';
import { unknownBizType } from '../../domain/files/upload-rules';
import type { BizType } from '../../domain/metadata/biz-type';
import type { BizTypeCatalog } from '../../domain/metadata/metadata.ports';

/** What metadata.get answers for a code it does not know, or will not look up. */
const NO_SUCH_BIZ_TYPE = new Set(['BIZ_TYPE_NOT_FOUND', 'VALIDATION_ERROR']);

/** The BizTypeCatalog port over `metadata.get` (cached there), called through `caller`. */
export function bizTypeCatalog(caller: Pick<Context, 'call'>): BizTypeCatalog {
  return {
    async find(code) {
      let found: BizType;
      try {
        found = await caller.call<BizType, { code: string }>('metadata.get', { code });
      } catch (e) {
        if (NO_SUCH_BIZ_TYPE.has(String((e as { type?: unknown }).type))) return null;
        throw e;
      }
      return found && typeof found === 'object' ? found : null;
    },
  };
}

/**
 * A biz type from the metadata service. An unknown code is the caller's mistake (400
 * UNKNOWN_BIZ_TYPE), not a missing route: metadata.get's BIZ_TYPE_NOT_FOUND never reaches a
 * client as a 404.
 */
export async function lookupBizType<T>(ctx: Pick<Context, 'call'>, code: string): Promise<T> {
  const found = await bizTypeCatalog(ctx).find(code);
  if (!found) throw unknownBizType(code);
  return found as T;
}
