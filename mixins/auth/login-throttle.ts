import type { LoginThrottle } from '../../domain/directory/directory.ports';
import type { Cache } from '../../domain/ports/cache.port';

/**
 * LoginThrottle on the Cache port: Redis in production (shared by every node), memory in the
 * embedded default. The count is read-then-written, not atomic: a burst of parallel guesses may
 * get a few more tries than the limit, which does not matter against guessing.
 */
export class CacheLoginThrottle implements LoginThrottle {
  constructor(
    private readonly cache: Cache,
    private readonly windowSeconds = 15 * 60,
  ) {}

  private k = (key: string) => `login-failures.${Buffer.from(key).toString('base64url')}`;

  async failures(key: string): Promise<number> {
    return (await this.cache.get<number>(this.k(key))) ?? 0;
  }

  async recordFailure(key: string): Promise<void> {
    await this.cache.set(this.k(key), (await this.failures(key)) + 1, this.windowSeconds);
  }

  async reset(key: string): Promise<void> {
    await this.cache.del(this.k(key));
  }
}
