import crypto from 'node:crypto';
import { resolveSecret } from '../auth/jwt-issuer';

const PREFIX = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored webhook secret that this node's key cannot open (the key was changed or lost). */
export class SecretUnreadable extends Error {
  constructor() {
    super(
      'the webhook secret cannot be decrypted: neither WEBHOOK_SECRETS_KEY (or JWT_SECRET, its fallback) nor WEBHOOK_SECRETS_PREVIOUS_KEYS is the key it was stored with',
    );
  }
}

/**
 * Webhook secrets at rest. They must stay readable (every delivery is signed with them), so they
 * are encrypted, not hashed: AES-256-GCM under a key derived (HKDF) from WEBHOOK_SECRETS_KEY, or
 * from the JWT secret that every node of a cluster already shares. A database dump alone then
 * does not let anybody forge deliveries. Rows stored before this existed hold the plain secret
 * (`whsec_…`) and are read as they are.
 */
export class SecretBox {
  private readonly key: Buffer;
  /** Keys of earlier configurations: they still open, never seal (a key rotation's grace). */
  private readonly previous: Buffer[];

  constructor(material: string, previousMaterials: readonly string[] = []) {
    this.key = deriveKey(material);
    this.previous = previousMaterials.map(deriveKey);
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(stored: string): string {
    return this.unseal(stored).plain;
  }

  /**
   * Whether `stored` is sealed under the current key: false for a plain legacy secret and for one
   * only a previous key opens (scripts/reseal-webhook-secrets.ts seals those again).
   */
  isCurrent(stored: string): boolean {
    return this.unseal(stored).current;
  }

  private unseal(stored: string): { plain: string; current: boolean } {
    if (!stored.startsWith(PREFIX)) return { plain: stored, current: false };
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    for (const [i, key] of [this.key, ...this.previous].entries()) {
      const plain = decrypt(key, raw);
      if (plain !== null) return { plain, current: i === 0 };
    }
    throw new SecretUnreadable();
  }
}

const deriveKey = (material: string): Buffer =>
  Buffer.from(crypto.hkdfSync('sha256', material, 'ftc', 'webhook secrets v1', 32));

/** The plain text, or null when `key` is not the one it was sealed with (or it was tampered with). */
function decrypt(key: Buffer, raw: Buffer): string | null {
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return null;
  }
}

/**
 * The box of this node: WEBHOOK_SECRETS_KEY, else the JWT secret (env or <dataDir>/jwt-secret);
 * WEBHOOK_SECRETS_PREVIOUS_KEYS still open what earlier keys sealed, so rotating either secret
 * does not stop deliveries (docs/configuration.md "Rotating secrets").
 */
export const webhookSecretBox = (config: {
  dataDir: string;
  auth: { jwtSecret: string | null };
  webhooks: { secretsKey: string | null; previousSecretsKeys: readonly string[] };
}): SecretBox =>
  new SecretBox(
    resolveSecret(config.webhooks.secretsKey ?? config.auth.jwtSecret, config.dataDir, 'jwt-secret'),
    config.webhooks.previousSecretsKeys,
  );
