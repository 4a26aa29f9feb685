import type { Principal } from '../../domain/shared/principal';

/**
 * What a REST action reads from and writes to `ctx.meta` through the gateway: the caller (set by
 * the gateway's authentication) and the response's status and Location (read by moleculer-web).
 */
export interface RestMeta {
  user?: Principal | null;
  $statusCode?: number;
  /** Where a created resource (201) can be read. */
  $location?: string;
}
