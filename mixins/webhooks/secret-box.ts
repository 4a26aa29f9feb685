import crypto from 'node:crypto';
import { resolveSecret } from '../auth/jwt-issuer';

const PREFIX = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored webhook secret that this node's key cannot open (the key was changed or lost). */
export class SecretUnreadable extends Error {
  constructor() {
    super(
      'the webhook secret cannot be decrypted: WEBHOOK_SECRETS_KEY (or JWT_SECRET, its fallback) differs from the key it was stored with',
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

  constructor(material: string) {
    this.key = Buffer.from(crypto.hkdfSync('sha256', material, 'ftc', 'webhook secrets v1', 32));
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretUnreadable();
    }
  }
}

/** The box of this node: WEBHOOK_SECRETS_KEY, else the JWT secret (env or <dataDir>/jwt-secret). */
export const webhookSecretBox = (config: {
  dataDir: string;
  auth: { jwtSecret: string | null };
  webhooks: { secretsKey: string | null };
}): SecretBox =>
  new SecretBox(
    resolveSecret(config.webhooks.secretsKey ?? config.auth.jwtSecret, config.dataDir, 'jwt-secret'),
  );
