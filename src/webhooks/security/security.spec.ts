import { Webhook } from 'standardwebhooks';
import { parseRetrySchedule } from '../../config/app-config';
import { parseSecretsKey, SecretCipher } from './secret-cipher';
import { newSigningSecret, signatureOf, standardWebhookHeaders } from './standard-webhooks';
import { isForbiddenAddress, urlProblems } from './url-policy';

describe('Standard Webhooks signing', () => {
  it('produces headers the standardwebhooks package verifies, and a signature it refuses once the body changes', () => {
    const secret = newSigningSecret();
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'alert.raised', timestamp: new Date().toISOString(), data: { id: 'a1' } });
    const headers = standardWebhookHeaders([secret], 'msg_0123456789abcdef01234567', now, body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('a1', 'a2'), headers)).toThrow();
  });

  it('signs "{id}.{timestamp}.{body}" with HMAC-SHA256 under the base64-decoded secret (a fixed vector)', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(signatureOf(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe(SecretCipher.name, () => {
  const cipher = new SecretCipher(Buffer.alloc(32, 7));

  it('round-trips a secret; the sealed form does not contain it and differs on every seal', () => {
    const secret = newSigningSecret();
    const a = cipher.seal(secret, 'webhook/acme/wh_1');
    const b = cipher.seal(secret, 'webhook/acme/wh_1');
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret.slice(6, 20));
    expect(cipher.open(a, 'webhook/acme/wh_1')).toBe(secret);
  });

  it('refuses a ciphertext moved to another endpoint, a tampered one, and one sealed under another key', () => {
    const sealed = cipher.seal('whsec_x', 'webhook/acme/wh_1');
    expect(() => cipher.open(sealed, 'webhook/globex/wh_1')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('whsec_y').toString('base64url');
    expect(() => cipher.open(parts.join('.'), 'webhook/acme/wh_1')).toThrow();
    expect(() => new SecretCipher(Buffer.alloc(32, 8)).open(sealed, 'webhook/acme/wh_1')).toThrow(/sealed with key/);
  });

  it('reads a key file as base64 or hex, and refuses anything but 32 bytes', () => {
    expect(parseSecretsKey(Buffer.alloc(32, 1).toString('base64') + '\n')).toEqual(Buffer.alloc(32, 1));
    expect(parseSecretsKey('ab'.repeat(32))).toEqual(Buffer.alloc(32, 0xab));
    expect(() => parseSecretsKey(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });
});

describe(isForbiddenAddress.name, () => {
  it.each(['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:10.0.0.1', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe'])(
    'forbids %s',
    (address) => expect(isForbiddenAddress(address)).toBe(true),
  );
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => expect(isForbiddenAddress(address)).toBe(false));
});

describe(urlProblems.name, () => {
  const production = { httpsOnly: true, blockPrivateNetworks: true };
  it('outside production accepts http and local targets; always refuses credentials, fragments and other schemes', () => {
    const dev = { httpsOnly: false, blockPrivateNetworks: false };
    expect(urlProblems('http://127.0.0.1:9000/hook', dev)).toEqual([]);
    expect(urlProblems('https://user:pw@siem.example.com/', dev)[0].message).toMatch(/credentials/);
    expect(urlProblems('https://siem.example.com/#x', dev)[0].message).toMatch(/fragment/);
    expect(urlProblems('gopher://siem.example.com/', dev)[0].message).toMatch(/https/);
  });
  it('in production accepts a public https URL', () => expect(urlProblems('https://siem.example.com:8088/services/collector', production)).toEqual([]));
});

describe(parseRetrySchedule.name, () => {
  it('reads delays with units (bare numbers are seconds) and refuses one beyond 7 days', () => {
    expect(parseRetrySchedule('0,1s,2s,4s')).toEqual([0, 1000, 2000, 4000]);
    expect(parseRetrySchedule('0,5s,5m,30m,2h,5h,10h,14h,20h,24h')).toEqual([0, 5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 504e5, 72e6, 864e5]);
    expect(parseRetrySchedule('250ms,3')).toEqual([250, 3000]);
    expect(() => parseRetrySchedule('8d')).toThrow(/7d/);
  });
});
