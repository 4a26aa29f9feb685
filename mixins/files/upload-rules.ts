import type { Context } from 'moleculer';
import { lookupBizType } from '../metadata/biz-type-lookup';
import {
  checkBizTypeCode,
  uploadRulesOf,
  type BizTypeInfo,
  type UploadRules,
} from '../../domain/files/upload-rules';

/** The upload rules of a biz type, from the metadata service (400 UNKNOWN_BIZ_TYPE if none). */
export async function resolveUploadRules(
  ctx: Pick<Context, 'call'>,
  rawBizType: unknown,
  globalMaxBytes: number,
): Promise<UploadRules> {
  const code = checkBizTypeCode(rawBizType);
  return uploadRulesOf(await lookupBizType<BizTypeInfo>(ctx, code), globalMaxBytes);
}
