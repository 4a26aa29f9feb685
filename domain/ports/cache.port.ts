/**
 * A shared key/value cache. In the embedded default it lives in the process; in production it is
 * Redis, so `clean` is seen by every node at once.
 */
export interface Cache {
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  del(key: string): Promise<void>;
  /**
   * Adds one to a counter and returns the new count, atomically across every node sharing the
   * cache; the counter expires `ttlSeconds` after its last increment.
   */
  increment(key: string, ttlSeconds: number): Promise<number>;
  /** Removes every key matching a glob pattern such as `permissions.*`. */
  clean(pattern: string): Promise<void>;
}
