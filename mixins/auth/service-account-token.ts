import crypto from 'node:crypto';

const PREFIX = 'ftcsa';

/**
 * Service account tokens: `ftcsa.<account id>.<secret>`. The id lets a node find the account
 * without a scan; the secret (32 random bytes) is stored only as its sha256, which is enough for
 * a value with that much entropy (a slow hash is for passwords people choose).
 */
export function newServiceAccountToken(id: string): { token: string; hash: string } {
  const secret = crypto.randomBytes(32).toString('base64url');
  return { token: `${PREFIX}.${id}.${secret}`, hash: hashSecret(secret) };
}

export const hashSecret = (secret: string): string =>
  crypto.createHash('sha256').update(secret).digest('hex');

export function parseServiceAccountToken(token: string): { id: string; secret: string } | null {
  if (!token.startsWith(`${PREFIX}.`)) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1] || !parts[2] || parts[1].length > 64) return null;
  return { id: parts[1], secret: parts[2] };
}
