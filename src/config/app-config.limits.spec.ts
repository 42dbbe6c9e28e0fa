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

describe('loadAppConfig: memory-mapped reads of the embedded stores (ADR 032)', () => {
  it('maps 2048 MiB of each store for bulk reads by default', () => {
    const config = loadAppConfig({ JWT_SECRET: SECRET });
    expect(config.eventStore).toMatchObject({ mmapMiB: 2048 });
    expect(config.readStore).toMatchObject({ mmapMiB: 2048 });
  });

  it('SQLITE_MMAP_MIB=0 turns the map off for both', () => {
    const config = loadAppConfig({ JWT_SECRET: SECRET, SQLITE_MMAP_MIB: '0' });
    expect(config.eventStore).toMatchObject({ mmapMiB: 0 });
    expect(config.readStore).toMatchObject({ mmapMiB: 0 });
  });

  it.each(['4096', '-1', '1.5', 'all'])('refuses SQLITE_MMAP_MIB=%s, naming the variable', (value) => {
    expect(() => loadAppConfig({ JWT_SECRET: SECRET, SQLITE_MMAP_MIB: value })).toThrow(/SQLITE_MMAP_MIB/);
  });
});
