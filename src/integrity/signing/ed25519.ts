import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/**
 * Ed25519 helpers with no dependency on the service (the offline verifier uses them too).
 * Key id = the first 16 hex characters of SHA-256 over the public key's SPKI DER.
 */
export const SIGNING_ALGORITHM = 'Ed25519';

export interface PublicSigningKey {
  keyId: string;
  publicKeyPem: string;
  key: KeyObject;
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Parses one Ed25519 public key (PEM SPKI); throws naming what is wrong. */
export function publicSigningKeyOf(pem: string): PublicSigningKey {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (got ${key.asymmetricKeyType})`);
  const publicKeyPem = key.export({ type: 'spki', format: 'pem' }).toString();
  return { keyId: keyIdOf(key), publicKeyPem, key };
}

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/** Every public key block of a PEM text (a file may hold several, e.g. after rotations). */
export function publicSigningKeysOf(text: string): PublicSigningKey[] {
  return (text.match(PEM_BLOCK) ?? []).map((block) => publicSigningKeyOf(block));
}

export function signText(privateKey: KeyObject, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64');
}

export function verifyText(publicKey: KeyObject, text: string, signatureBase64: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
