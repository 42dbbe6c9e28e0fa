import { checkTokenHeader, isUsableText, UnusableTokenError, validClaimsOf } from './token-claims';

const NOW = 1_800_000_000;
const DAY = 86_400;
const valid = (overrides: Record<string, unknown> = {}) => ({ sub: 'alice', tenant: 'acme', roles: ['auditor'], iat: NOW, exp: NOW + 3600, ...overrides });
const refusal = (payload: Record<string, unknown>, max = DAY) => {
  try {
    validClaimsOf(payload, max, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(UnusableTokenError);
    return (error as Error).message;
  }
  throw new Error('expected the claims to be refused');
};

describe(validClaimsOf.name, () => {
  it('returns the claims with actor type defaulting to user', () => {
    expect(validClaimsOf(valid(), DAY, NOW)).toEqual({ sub: 'alice', tenant: 'acme', roles: ['auditor'], actorType: 'user', exp: NOW + 3600 });
  });

  it.each([Infinity, -Infinity, NaN, NOW + 0.5, 2 ** 53, -1, '1800003600'])('refuses exp %p', (exp) => {
    expect(refusal(valid({ exp }))).toMatch(/exp/);
  });

  it('accepts exp - iat equal to the maximum lifetime and refuses one second more', () => {
    expect(validClaimsOf(valid({ iat: NOW - 10, exp: NOW - 10 + DAY }), DAY, NOW).exp).toBe(NOW - 10 + DAY);
    expect(refusal(valid({ iat: NOW - 10, exp: NOW - 9 + DAY }))).toMatch(/lifetime exceeds 86400/);
  });

  it('measures exp - now when iat is absent or in the future', () => {
    expect(validClaimsOf(valid({ iat: undefined, exp: NOW + DAY }), DAY, NOW).exp).toBe(NOW + DAY);
    expect(refusal(valid({ iat: undefined, exp: NOW + DAY + 1 }))).toMatch(/lifetime/);
    expect(refusal(valid({ iat: NOW + 5 * DAY, exp: NOW + 5 * DAY + 60 }))).toMatch(/lifetime/);
  });
});

describe(isUsableText.name, () => {
  it.each(['\uD83D', 'a\uDE00', 'a\u0000', 'a\u007F', 'a\u0085', '', 'x'.repeat(11)])('refuses %p', (value) => {
    expect(isUsableText(value, 10)).toBe(false);
  });

  it('accepts a surrogate pair and non-ASCII letters', () => {
    expect(isUsableText('Zoë 😀', 10)).toBe(true);
  });
});

describe(checkTokenHeader.name, () => {
  it('refuses any crit parameter, and accepts a header without one', () => {
    expect(() => checkTokenHeader({ alg: 'HS256', crit: [] })).toThrow(UnusableTokenError);
    expect(() => checkTokenHeader({ alg: 'HS256', typ: 'JWT' })).not.toThrow();
  });
});
