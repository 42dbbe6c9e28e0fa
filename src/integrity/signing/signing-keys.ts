import { Logger } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SigningKeyConfig } from '../../config/app-config';
import { PublicSigningKey, publicSigningKeyOf, publicSigningKeysOf, SIGNING_ALGORITHM } from './ed25519';

export const SIGNING_KEYS = Symbol('SIGNING_KEYS');
export const DEV_SIGNING_KEY_FILE = 'dev-signing-key.pem';

/** The current Ed25519 signing key and the public keys of earlier ones (still verifiable after a rotation). */
export interface SigningKeys {
  algorithm: typeof SIGNING_ALGORITHM;
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
  previous: PublicSigningKey[];
}

export class SigningKeyError extends Error {}

/**
 * Loads the signing key from SIGNING_KEY_FILE (PEM PKCS8, Ed25519). Without one (never in production:
 * the configuration refuses that) a key is generated once into DATA_DIR with mode 0600 and logged.
 */
export function loadSigningKeys(config: { signing: SigningKeyConfig; dataDir: string }, logger = new Logger('Signing')): SigningKeys {
  if (config.signing.kind === 'missing') throw new SigningKeyError('SIGNING_KEY_FILE: an Ed25519 private key (PEM PKCS8) is required when NODE_ENV=production');
  const file = config.signing.kind === 'file' ? config.signing.privateKeyFile : path.join(config.dataDir, DEV_SIGNING_KEY_FILE);
  if (config.signing.kind === 'dev-generated' && !fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    logger.warn({ msg: 'no SIGNING_KEY_FILE: generated a development Ed25519 signing key (never do this in production)', file });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SigningKeyError(`SIGNING_KEY_FILE ${file}: cannot read a PEM private key (${error instanceof Error ? error.message : String(error)})`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`SIGNING_KEY_FILE ${file}: not an Ed25519 key (got ${privateKey.asymmetricKeyType})`);
  const current = publicSigningKeyOf(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString());
  let previous: PublicSigningKey[] = [];
  const previousFile = config.signing.previousPublicKeysFile;
  if (previousFile) {
    try {
      previous = publicSigningKeysOf(fs.readFileSync(previousFile, 'utf8'));
    } catch (error) {
      throw new SigningKeyError(`SIGNING_PREVIOUS_PUBLIC_KEYS_FILE ${previousFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (previous.length === 0) throw new SigningKeyError(`SIGNING_PREVIOUS_PUBLIC_KEYS_FILE ${previousFile}: no PEM public key found`);
    previous = previous.filter((key) => key.keyId !== current.keyId);
  }
  return { algorithm: SIGNING_ALGORITHM, keyId: current.keyId, privateKey, publicKeyPem: current.publicKeyPem, previous };
}

/** The current public key and every earlier one, by key id. */
export function verificationKeysOf(keys: SigningKeys): Map<string, PublicSigningKey> {
  const all = new Map<string, PublicSigningKey>();
  all.set(keys.keyId, publicSigningKeyOf(keys.publicKeyPem));
  for (const key of keys.previous) all.set(key.keyId, key);
  return all;
}
