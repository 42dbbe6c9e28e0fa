import { TenantReadLimiter } from './tenant-read-limiter';

describe(TenantReadLimiter.name, () => {
  it('admits up to the pool limit per tenant, independently per tenant and per pool', () => {
    const limiter = new TenantReadLimiter({ bulk: 2, list: 1, stream: 1 });
    expect(limiter.tryAcquire('acme', 'bulk')).not.toBeNull();
    expect(limiter.tryAcquire('acme', 'bulk')).not.toBeNull();
    expect(limiter.tryAcquire('acme', 'bulk')).toBeNull();
    expect(limiter.tryAcquire('globex', 'bulk')).not.toBeNull();
    expect(limiter.tryAcquire('acme', 'list')).not.toBeNull();
  });

  it('releases a slot once, however often release is called', () => {
    const limiter = new TenantReadLimiter({ bulk: 2, list: 1, stream: 1 });
    const release = limiter.tryAcquire('acme', 'bulk')!;
    limiter.tryAcquire('acme', 'bulk');
    release();
    release();
    expect(limiter.inUse('acme', 'bulk')).toBe(1);
    expect(limiter.tryAcquire('acme', 'bulk')).not.toBeNull();
    expect(limiter.tryAcquire('acme', 'bulk')).toBeNull();
  });
});
