import { Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WebhooksConfig } from '../../config/app-config';

export const DEV_WEBHOOK_SECRETS_KEY_FILE = 'dev-webhook-secrets.key';
const FORMAT = 'v1';

export class WebhookSecretsKeyError extends Error {}

/**
 * Encrypts webhook signing secrets at rest (events and read models hold only the ciphertext): AES-256-GCM
 * with a 96-bit random IV, the tag checked on decryption, and the endpoint (tenant + id) as associated
 * data, so a ciphertext copied onto another endpoint does not decrypt. `keyId` (first 8 bytes of the
 * key's SHA-256, hex) tells which key sealed a value.
 */
export class SecretCipher {
  readonly keyId: string;

  /** `null`: no key configured (command-line tools in production); sealing and opening then fail. */
  constructor(private readonly key: Buffer | null) {
    if (key && key.length !== 32) throw new WebhookSecretsKeyError(`WEBHOOK_SECRETS_KEY_FILE: the key must be 32 bytes (got ${key.length})`);
    this.keyId = key ? createHash('sha256').update(key).digest('hex').slice(0, 16) : 'none';
  }

  private keyOrFail(): Buffer {
    if (!this.key) throw new WebhookSecretsKeyError('WEBHOOK_SECRETS_KEY_FILE is not configured');
    return this.key;
  }

  /** `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). */
  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyOrFail(), iv);
    cipher.setAAD(Buffer.from(boundTo));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(sealed: string, boundTo: string): string {
    const [format, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (format !== FORMAT || ciphertext === undefined) throw new WebhookSecretsKeyError('not a sealed webhook secret');
    if (keyId !== this.keyId) throw new WebhookSecretsKeyError(`webhook secret sealed with key ${keyId}, configured key is ${this.keyId}`);
    const decipher = createDecipheriv('aes-256-gcm', this.keyOrFail(), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** A 32-byte key written as base64 (44 characters) or hex (64), surrounding whitespace ignored. */
export function parseSecretsKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  if (decoded.length !== 32 || !/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) throw new WebhookSecretsKeyError('WEBHOOK_SECRETS_KEY_FILE must hold 32 bytes as base64 (44 characters) or hex (64)');
  return decoded;
}

/**
 * Loads WEBHOOK_SECRETS_KEY_FILE. Without one in development a key is generated once into DATA_DIR with
 * mode 0600, and the service says so. In production without one the service refuses to start
 * (assertServiceConfig); command-line tools that load the application get a cipher that refuses to work.
 */
export function loadSecretCipher(config: { webhooks: WebhooksConfig; dataDir: string }, logger = new Logger('Webhooks')): SecretCipher {
  const key = config.webhooks.secretsKey;
  if (key.kind === 'missing') return new SecretCipher(null);
  const file = key.kind === 'file' ? key.file : path.join(config.dataDir, DEV_WEBHOOK_SECRETS_KEY_FILE);
  if (key.kind === 'dev-generated' && !fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      logger.warn({ msg: 'no WEBHOOK_SECRETS_KEY_FILE: generated a development key for webhook secrets (never do this in production)', file });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new WebhookSecretsKeyError(`WEBHOOK_SECRETS_KEY_FILE ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return new SecretCipher(parseSecretsKey(text));
}
