import type { Cacher } from 'moleculer';
import type { Cache } from '../../domain/ports/cache.port';

/**
 * The Cache port on top of the broker's cacher (MemoryLRU in the embedded default, Redis in
 * production, chosen in moleculer.config.ts). Its lifecycle is the broker's: it connects when the
 * broker starts and closes when it stops. With Redis, `clean` reaches every node at once; with the
 * memory cacher it is local, which is all a single-process deployment has.
 */
interface RedisLike {
  multi(): { incr(k: string): { expire(k: string, s: number): { exec(): Promise<unknown> } } };
}

export class MoleculerCache implements Cache {
  private readonly counters = new Map<string, { n: number; until: number }>();

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

  async increment(key: string, ttlSeconds: number): Promise<number> {
    const redis = (this.cacher as unknown as { client?: RedisLike; prefix?: string }).client;
    if (redis && typeof redis.multi === 'function') {
      // INCR is atomic in Redis: parallel attempts on any node each get their own count.
      const k = `${(this.cacher as unknown as { prefix: string }).prefix}${this.prefix}${key}`;
      const [[err, n]] = (await redis.multi().incr(k).expire(k, ttlSeconds).exec()) as [
        [Error | null, number],
      ];
      if (err) throw err;
      return n;
    }
    // The memory cacher lives in this one process: a synchronous map update cannot interleave.
    const now = Date.now();
    const hit = this.counters.get(key);
    const n = hit && hit.until > now ? hit.n + 1 : 1;
    if (this.counters.size >= 10_000) this.counters.clear();
    this.counters.set(key, { n, until: now + ttlSeconds * 1000 });
    return n;
  }

  async del(key: string): Promise<void> {
    this.counters.delete(key);
    await this.cacher.del(this.prefix + key);
  }

  async clean(pattern: string): Promise<void> {
    await this.cacher.clean(this.prefix + pattern);
  }
}
