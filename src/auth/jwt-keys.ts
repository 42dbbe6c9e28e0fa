import { Logger } from '@nestjs/common';
import { createPublicKey, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';

export interface JwtVerification {
  key: string;
  algorithms: Array<'HS256' | 'RS256' | 'ES256'>;
  issuer?: string;
  audience?: string;
}

export const DEV_SECRET_FILE = 'dev-jwt-secret';

/**
 * The key material tokens are verified with. In development without a configured key, a random
 * secret is generated once into DATA_DIR (mode 0600) so that `npm run token` and the service agree.
 */
export function resolveJwtVerification(config: AppConfig, logger = new Logger('Auth')): JwtVerification {
  const { key, issuer, audience } = config.jwt;
  switch (key.kind) {
    case 'secret':
      return { key: key.secret, algorithms: ['HS256'], issuer, audience };
    case 'public-key':
      return { key: key.publicKeyPem, algorithms: [key.algorithm], issuer, audience };
    case 'dev-generated': {
      const file = path.join(config.dataDir, DEV_SECRET_FILE);
      if (!fs.existsSync(file)) {
        fs.mkdirSync(config.dataDir, { recursive: true });
        fs.writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
        logger.warn({ msg: 'no JWT_SECRET or JWT_PUBLIC_KEY: generated a development secret (never do this in production)', file });
      }
      return { key: fs.readFileSync(file, 'utf8').trim(), algorithms: ['HS256'], issuer, audience };
    }
  }
}

/**
 * The key as a KeyObject, made once. Given a string, jsonwebtoken converts it on every verification and
 * tries it as a PEM public key first: for a shared secret that is a thrown error per request (0.39 ms
 * a verification here, against 0.0075 ms with a KeyObject).
 */
export function verificationKeyObject(verification: JwtVerification): KeyObject {
  return verification.algorithms.includes('HS256') ? createSecretKey(Buffer.from(verification.key)) : createPublicKey(verification.key);
}
