import type { Context } from 'moleculer';
import {
  checkBizTypeCode,
  unknownBizType,
  uploadRulesOf,
  type BizTypeInfo,
  type UploadRules,
} from '../../domain/files/upload-rules';

/**
 * The upload rules of a biz type, from the metadata service (`metadata.get`, cached there). An
 * unknown code is the client's mistake (400 UNKNOWN_BIZ_TYPE), not a missing route: the 404 of
 * metadata.get never reaches the uploader as a 404.
 */
export async function resolveUploadRules(
  ctx: Pick<Context, 'call'>,
  rawBizType: unknown,
  globalMaxBytes: number,
): Promise<UploadRules> {
  const code = checkBizTypeCode(rawBizType);
  let info: BizTypeInfo;
  try {
    info = await ctx.call<BizTypeInfo, { code: string }>('metadata.get', { code });
  } catch (e) {
    const err = e as { code?: unknown; type?: unknown };
    // Any client error of the lookup (not found, or a code metadata itself refuses) means "no such type".
    if (typeof err.code === 'number' && err.code >= 400 && err.code < 500) throw unknownBizType(code);
    throw e;
  }
  if (!info || typeof info !== 'object') throw unknownBizType(code);
  return uploadRulesOf(info, globalMaxBytes);
}
