import { ValidationErrors } from './validation.errors';

/**
 * Language tags (BCP 47) as exports and metadata take them: `zh-CN`, `en`. An entry keyed by
 * locale is found by the exact tag first, then by its language ("zh" for "zh-TW").
 */
export const LOCALE_PATTERN = /^[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,3}$/i;

/** The canonical tag ("zh-cn" → "zh-CN"), or null when it is not a BCP 47 language tag. */
export function canonicalLocale(tag: string): string | null {
  if (!LOCALE_PATTERN.test(tag.trim())) return null;
  try {
    return Intl.getCanonicalLocales(tag.trim())[0] ?? null;
  } catch {
    return null;
  }
}

/** Validates a `locale` field (absent: null); throws INVALID_LOCALE naming the field. */
export function parseLocale(raw: unknown, field: string): string | null {
  if (raw === undefined || raw === null) return null;
  const tag = typeof raw === 'string' ? canonicalLocale(raw) : null;
  if (tag === null) throw ValidationErrors.invalidLocale(field);
  return tag;
}

/** The entry of `byLocale` for `locale`: the exact tag, then its language. */
export function pickLocale<T>(byLocale: Record<string, T> | undefined, locale: string | null): T | undefined {
  if (!byLocale || !locale) return undefined;
  if (Object.hasOwn(byLocale, locale)) return byLocale[locale];
  const language = locale.split('-')[0];
  if (Object.hasOwn(byLocale, language)) return byLocale[language];
  // "zh" asked, "zh-CN" offered: the first tag of that language.
  const near = Object.keys(byLocale).find((k) => k.split('-')[0] === language);
  return near === undefined ? undefined : byLocale[near];
}
