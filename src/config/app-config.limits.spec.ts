import { ConfigValidationError, loadAppConfig } from './app-config';

const SECRET = 'abcdefghijklmnopqrstuvwxyz012345';

describe('loadAppConfig: token lifetime, request timeout and denial window', () => {
  it('defaults to a 24 h token lifetime, a 30 s request timeout and a 60 s denial window', () => {
    const config = loadAppConfig({ JWT_SECRET: SECRET });
    expect(config.jwt.maxLifetimeSeconds).toBe(86_400);
    expect(config.httpLimits.requestTimeoutMs).toBe(30_000);
    expect(config.accessDenials.windowSeconds).toBe(60);
  });

  it('reads the three variables', () => {
    const config = loadAppConfig({ JWT_SECRET: SECRET, JWT_MAX_LIFETIME_SECONDS: '3600', HTTP_REQUEST_TIMEOUT_MS: '5000', ACCESS_DENIAL_WINDOW_SECONDS: '300' });
    expect(config.jwt.maxLifetimeSeconds).toBe(3600);
    expect(config.httpLimits.requestTimeoutMs).toBe(5000);
    expect(config.accessDenials.windowSeconds).toBe(300);
  });

  it.each([
    ['JWT_MAX_LIFETIME_SECONDS', '0'],
    ['JWT_MAX_LIFETIME_SECONDS', '1e400'],
    ['JWT_MAX_LIFETIME_SECONDS', 'forever'],
    ['HTTP_REQUEST_TIMEOUT_MS', '10'],
    ['HTTP_REQUEST_TIMEOUT_MS', '1.5'],
    ['ACCESS_DENIAL_WINDOW_SECONDS', '0'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadAppConfig({ JWT_SECRET: SECRET, [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadAppConfig({ JWT_SECRET: SECRET, [name]: value })).toThrow(new RegExp(name));
  });
});
