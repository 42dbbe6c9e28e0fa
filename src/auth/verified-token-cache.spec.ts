import { Principal } from './principal';
import { VerifiedTokenCache } from './verified-token-cache';

const principal = (subject: string) => ({ subject, tenantId: 'acme', roles: [], permissions: new Set(), actorType: 'user', expiresAt: 0 }) as Principal;

describe(VerifiedTokenCache.name, () => {
  it('returns the principal of the exact token until the token expires', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache(() => now);
    cache.set('Bearer a.b.c', principal('alice'), (now + 60_000) / 1000);
    expect(cache.get('Bearer a.b.c')?.subject).toBe('alice');
    expect(cache.get('Bearer a.b.x')).toBeUndefined();
    now += 60_000;
    expect(cache.get('Bearer a.b.c')).toBeUndefined();
  });

  it('keeps an entry at most five minutes, and ignores already expired tokens', () => {
    let now = 0;
    const cache = new VerifiedTokenCache(() => now);
    cache.set('t', principal('alice'), 3600);
    now = 5 * 60 * 1000 - 1;
    expect(cache.get('t')).toBeDefined();
    now += 1;
    expect(cache.get('t')).toBeUndefined();
    cache.set('old', principal('bob'), now / 1000 - 1);
    expect(cache.get('old')).toBeUndefined();
  });
});
