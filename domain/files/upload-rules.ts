import { validationError } from '../shared/errors';
import { isShortCode } from '../shared/identifiers';

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
    throw validationError('BIZ_TYPE_REQUIRED', 'send the bizType field before the file part');
  }
  const code = raw.trim();
  if (!isShortCode(code)) throw unknownBizType(code);
  return code;
}

export const unknownBizType = (code: string) =>
  validationError('UNKNOWN_BIZ_TYPE', `unknown biz type "${code.slice(0, 64)}"`, {
    bizType: code.slice(0, 64),
  });

export function uploadRulesOf(info: BizTypeInfo, globalMaxBytes: number): UploadRules {
  if (info.kind !== 'FILE') {
    throw validationError('BIZ_TYPE_NOT_UPLOADABLE', `biz type "${info.code}" does not take uploads`, {
      bizType: info.code,
      kind: info.kind,
    });
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
