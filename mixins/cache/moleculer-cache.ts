import type { Cacher } from 'moleculer';
import type { Cache } from '../../domain/ports/cache.port';

/**
 * The Cache port on top of the broker's cacher (MemoryLRU in the embedded default, Redis in
 * production, chosen in moleculer.config.ts). Its lifecycle is the broker's: it connects when the
 * broker starts and closes when it stops. With Redis, `clean` reaches every node at once; with the
 * memory cacher it is local, which is all a single-process deployment has.
 */
export class MoleculerCache implements Cache {
  constructor(
    private readonly cacher: Cacher,
    private readonly prefix = 'app.',
  ) {}

  async get<T>(key: string): Promise<T | null> {
    const v = (await this.cacher.get(this.prefix + key)) as T | null | undefined;
    return v ?? null;
  }

  async set(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    await this.cacher.set(this.prefix + key, value, ttlSeconds);
  }

  async del(key: string): Promise<void> {
    await this.cacher.del(this.prefix + key);
  }

  async clean(pattern: string): Promise<void> {
    await this.cacher.clean(this.prefix + pattern);
  }
}
