import type { LoginThrottle } from '../../domain/directory/directory.ports';
import type { Cache } from '../../domain/ports/cache.port';

/**
 * LoginThrottle on the Cache port: Redis in production (shared by every node), memory in the
 * embedded default. Every attempt is counted before the password is checked, with one atomic
 * increment, so a burst of parallel guesses on several nodes gets no more tries than the limit.
 */
export class CacheLoginThrottle implements LoginThrottle {
  constructor(
    private readonly cache: Cache,
    readonly windowSeconds = 15 * 60,
  ) {}

  private k = (key: string) => `login-attempts.${Buffer.from(key).toString('base64url')}`;

  attempt(key: string): Promise<number> {
    return this.cache.increment(this.k(key), this.windowSeconds);
  }

  async reset(key: string): Promise<void> {
    await this.cache.del(this.k(key));
  }
}
