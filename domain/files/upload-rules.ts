import { isShortCode } from '../shared/identifiers';
import { FileErrors } from './file.errors';

/**
 * What an upload of one biz type may be: the metadata service's `rules` of a `kind: FILE` biz type
 * (API.md "Metadata"), narrowed by the global UPLOAD_MAX_BYTES. An export biz type has no uploads.
 */
export interface BizTypeInfo {
  code: string;
  kind: string;
  rules?: { maxSize?: unknown; contentTypes?: unknown } | null;
}

export interface UploadRules {
  bizType: string;
  /** The largest accepted file, in bytes: the biz type's maxSize, never above the global limit. */
  maxBytes: number;
  /** Accepted content types (`image/*` wildcards allowed); empty: any type. */
  contentTypes: string[];
}

export function checkBizTypeCode(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw FileErrors.bizTypeRequired();
  }
  const code = raw.trim();
  if (!isShortCode(code)) throw unknownBizType(code);
  return code;
}

export const unknownBizType = (code: string) => FileErrors.unknownBizType(code);

export function uploadRulesOf(info: BizTypeInfo, globalMaxBytes: number): UploadRules {
  if (info.kind !== 'FILE') {
    throw FileErrors.bizTypeNotUploadable(info.code, info.kind);
  }
  const rules = info.rules ?? {};
  const max = rules.maxSize;
  // A malformed rule must not lift the global limit: only a positive integer narrows it.
  const maxBytes =
    typeof max === 'number' && Number.isSafeInteger(max) && max >= 0
      ? Math.min(max, globalMaxBytes)
      : globalMaxBytes;
  const contentTypes = Array.isArray(rules.contentTypes)
    ? rules.contentTypes.filter((t): t is string => typeof t === 'string' && t.trim() !== '')
    : [];
  return { bizType: info.code, maxBytes, contentTypes };
}
