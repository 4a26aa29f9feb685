import type { BizType } from './biz-type';

/** Biz types as other contexts read them (cached on every node). */
export interface BizTypeCatalog {
  /** The biz type with this code; null when there is none. */
  find(code: string): Promise<BizType | null>;
}
