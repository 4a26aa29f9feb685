import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { PasswordHasher } from '../../domain/directory/directory.ports';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/**
 * Passwords are hashed with scrypt (memory-hard, in Node's crypto: no native addon to build).
 * The parameters travel in the stored string, `scrypt$N$r$p$salt$hash`, so they can be raised later
 * without breaking existing hashes. N=2^15, r=8 costs ~32 MiB and ~50-100 ms per hash here.
 */
export class ScryptHasher implements PasswordHasher {
  constructor(private readonly params = { N: 2 ** 15, r: 8, p: 1 }) {}

  async hash(password: string): Promise<string> {
    const salt = crypto.randomBytes(16);
    const { N, r, p } = this.params;
    const key = await scrypt(password, salt, 32, { N, r, p, maxmem: 256 * N * r });
    return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [alg, n, r, p, salt, hash] = stored.split('$');
    if (alg !== 'scrypt' || !salt || !hash) return false;
    const N = Number(n);
    const expected = Buffer.from(hash, 'base64');
    const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
      N,
      r: Number(r),
      p: Number(p),
      maxmem: 256 * N * Number(r),
    });
    return crypto.timingSafeEqual(key, expected);
  }
}
