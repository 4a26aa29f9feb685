import { unavailable } from '../shared/errors';

/**
 * A service's adapter read outside its started()..stopped() window (docs/architecture.md "How
 * services get their adapters"). A 503: a request that reaches a service while it stops may
 * succeed on another node or a moment later.
 */
export const LifecycleErrors = {
  notStarted: (adapter: string) =>
    unavailable(
      'ADAPTER_NOT_STARTED',
      `${adapter} is not started (read before its service started or after it stopped)`,
      {
        adapter,
      },
    ),
  /** A mixin that needs another adapter listed after it in `mixins`, so it starts before it. */
  startedBefore: (adapter: string, needs: string) =>
    unavailable(
      'ADAPTER_NOT_STARTED',
      `${adapter} needs ${needs} started first: list it before ${needs} in the service's mixins (Moleculer starts the last mixin first)`,
      { adapter, needs },
    ),
} as const;
