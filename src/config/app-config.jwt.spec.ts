import { generateKeyPairSync } from 'node:crypto';
import { AppConfig, assertServiceConfig, ConfigValidationError, loadAppConfig } from './app-config';

/** The error loadAppConfig threw for this environment (fails the test if it did not throw). */
function configErrorOf(env: NodeJS.ProcessEnv): ConfigValidationError {
  let error: unknown;
  try {
    loadAppConfig(env);
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`expected loadAppConfig(${JSON.stringify(Object.keys(env))}) to throw`);
  expect(error).toBeInstanceOf(ConfigValidationError);
  return error as ConfigValidationError;
}

const SECRET_32 = 'abcdefghijklmnopqrstuvwxyz012345'; // exactly 32 characters
const spki = (key: { export(options: { type: 'spki'; format: 'pem' }): string | Buffer }) => key.export({ type: 'spki', format: 'pem' }).toString();
const RSA_PEM = spki(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
const EC_P256_PEM = spki(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);

describe('loadAppConfig: JWT verification settings', () => {
  describe('in production', () => {
    it('refuses to load without JWT_SECRET or JWT_PUBLIC_KEY, naming both', () => {
      const error = configErrorOf({ NODE_ENV: 'production' });
      expect(error.problems.join('\n')).toContain('JWT_SECRET');
      expect(error.problems.join('\n')).toContain('JWT_PUBLIC_KEY');
      expect(error.message).toMatch(/JWT_SECRET[\s\S]*JWT_PUBLIC_KEY/);
    });

    it('treats empty JWT_SECRET / JWT_PUBLIC_KEY as unset (still refuses)', () => {
      const error = configErrorOf({ NODE_ENV: 'production', JWT_SECRET: '', JWT_PUBLIC_KEY: '' });
      expect(error.problems.join('\n')).toMatch(/JWT_SECRET.*JWT_PUBLIC_KEY/);
    });

    it('accepts a JWT_SECRET', () => {
      expect(loadAppConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET_32 }).jwt.key).toEqual({ kind: 'secret', secret: SECRET_32 });
    });

    it('accepts a JWT_PUBLIC_KEY', () => {
      expect(loadAppConfig({ NODE_ENV: 'production', JWT_PUBLIC_KEY: RSA_PEM }).jwt.key).toMatchObject({ kind: 'public-key', algorithm: 'RS256' });
    });
  });

  it.each(['development', 'production', 'test'])('refuses JWT_SECRET and JWT_PUBLIC_KEY together (NODE_ENV=%s)', (nodeEnv) => {
    const error = configErrorOf({ NODE_ENV: nodeEnv, JWT_SECRET: SECRET_32, JWT_PUBLIC_KEY: RSA_PEM });
    expect(error.problems.join('\n')).toMatch(/JWT_SECRET.*JWT_PUBLIC_KEY/);
  });

  it('refuses a JWT_SECRET shorter than 32 characters, naming JWT_SECRET without echoing it', () => {
    const short = SECRET_32.slice(0, 31);
    const error = configErrorOf({ JWT_SECRET: short });
    expect(error.problems.some((p) => p.startsWith('JWT_SECRET '))).toBe(true);
    expect(error.message).toContain('at least 32 characters');
    expect(error.message).not.toContain(short);
  });

  it('accepts a JWT_SECRET of exactly 32 characters', () => {
    expect(loadAppConfig({ JWT_SECRET: SECRET_32 }).jwt.key).toEqual({ kind: 'secret', secret: SECRET_32 });
  });

  describe('JWT_PUBLIC_KEY', () => {
    it('recognises an RSA key as RS256', () => {
      expect(loadAppConfig({ JWT_PUBLIC_KEY: RSA_PEM }).jwt.key).toEqual({ kind: 'public-key', publicKeyPem: RSA_PEM, algorithm: 'RS256' });
    });

    it('recognises an EC P-256 key as ES256', () => {
      expect(loadAppConfig({ JWT_PUBLIC_KEY: EC_P256_PEM }).jwt.key).toEqual({ kind: 'public-key', publicKeyPem: EC_P256_PEM, algorithm: 'ES256' });
    });

    it.each([
      ['RSA', RSA_PEM, 'RS256'],
      ['EC', EC_P256_PEM, 'ES256'],
    ])('accepts an %s PEM written on one line with literal "\\n" sequences (as env files and CI secrets carry it)', (_label, pem, algorithm) => {
      const oneLine = pem.trimEnd().replace(/\n/g, '\\n');
      expect(oneLine).not.toContain('\n');
      const key = loadAppConfig({ JWT_PUBLIC_KEY: oneLine }).jwt.key;
      expect(key).toEqual({ kind: 'public-key', publicKeyPem: pem.trimEnd(), algorithm });
    });

    it.each([
      ['plain text', 'not a key'],
      ['a PEM frame around garbage', '-----BEGIN PUBLIC KEY-----\nAAAAnotbase64derAAAA\n-----END PUBLIC KEY-----\n'],
      ['a truncated key', RSA_PEM.slice(0, 120) + '\n-----END PUBLIC KEY-----\n'],
      ['a certificate request header', '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----'],
    ])('refuses %s, naming JWT_PUBLIC_KEY', (_label, value) => {
      const error = configErrorOf({ JWT_PUBLIC_KEY: value });
      expect(error.problems.some((p) => p.startsWith('JWT_PUBLIC_KEY'))).toBe(true);
    });

    it('refuses an Ed25519 key (neither RS256 nor ES256), naming JWT_PUBLIC_KEY', () => {
      const error = configErrorOf({ JWT_PUBLIC_KEY: spki(generateKeyPairSync('ed25519').publicKey) });
      expect(error.problems.join('\n')).toMatch(/^JWT_PUBLIC_KEY: unsupported key type ed25519/);
    });

    // Regression: ES256 is defined on P-256 only; another curve must fail at boot, not at every request.
    it('refuses an EC key on a curve other than P-256 (P-384 cannot verify ES256)', () => {
      const pem = spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
      const error = configErrorOf({ JWT_PUBLIC_KEY: pem });
      expect(error.problems.some((p) => p.startsWith('JWT_PUBLIC_KEY'))).toBe(true);
    });
  });

  describe('without a configured key outside production', () => {
    it.each<[string, NodeJS.ProcessEnv]>([
      ['NODE_ENV=development', { NODE_ENV: 'development' }],
      ['NODE_ENV unset (defaults to development)', {}],
      ['empty JWT_SECRET and JWT_PUBLIC_KEY', { NODE_ENV: 'development', JWT_SECRET: '', JWT_PUBLIC_KEY: '' }],
    ])('uses a dev-generated secret (%s)', (_label, env) => {
      const config: AppConfig = loadAppConfig(env);
      expect(config.nodeEnv).toBe('development');
      expect(config.jwt.key).toEqual({ kind: 'dev-generated' });
    });
  });

  it('passes JWT_ISSUER and JWT_AUDIENCE through, and leaves them undefined when unset or empty', () => {
    expect(loadAppConfig({ JWT_SECRET: SECRET_32, JWT_ISSUER: 'https://idp.example.com/', JWT_AUDIENCE: 'audit-trail' }).jwt).toEqual({
      key: { kind: 'secret', secret: SECRET_32 },
      issuer: 'https://idp.example.com/',
      audience: 'audit-trail',
      maxLifetimeSeconds: 86_400,
    });
    const unset = loadAppConfig({ JWT_SECRET: SECRET_32, JWT_ISSUER: '', JWT_AUDIENCE: '' }).jwt;
    expect(unset.issuer).toBeUndefined();
    expect(unset.audience).toBeUndefined();
  });
});

describe('signing key configuration (issue 12)', () => {
  it('refuses to start the service in production without SIGNING_KEY_FILE, naming it (the command-line tools load the configuration without it)', () => {
    const config = loadAppConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) });
    expect(() => assertServiceConfig(config)).toThrow(/SIGNING_KEY_FILE: an Ed25519 private key \(PEM PKCS8\) is required when NODE_ENV=production/);
    expect(() => assertServiceConfig(loadAppConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), SIGNING_KEY_FILE: '/run/secrets/signing.pem', WEBHOOK_SECRETS_KEY_FILE: '/run/secrets/webhooks.key' }))).not.toThrow();
  });

  it('generates a development key when none is configured, and reads checkpoint timing with defaults 60 s / 10,000 events', () => {
    const config = loadAppConfig({});
    expect(config.signing).toEqual({ kind: 'dev-generated', previousPublicKeysFile: undefined });
    expect(config.checkpoints).toEqual({ intervalSeconds: 60, everyEvents: 10_000 });
    expect(loadAppConfig({ CHECKPOINT_INTERVAL_SECONDS: '5', CHECKPOINT_EVERY_EVENTS: '100' }).checkpoints).toEqual({ intervalSeconds: 5, everyEvents: 100 });
    expect(() => loadAppConfig({ CHECKPOINT_INTERVAL_SECONDS: '0' })).toThrow(/CHECKPOINT_INTERVAL_SECONDS/);
  });
});
