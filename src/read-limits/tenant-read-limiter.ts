/** Pools of long reads limited per tenant: exports and verifies share `bulk`. */
export type ReadPool = 'bulk' | 'list' | 'stream';

/** Seconds a refused caller is told to wait: about how long one such read usually takes. */
export const RETRY_AFTER_SECONDS: Record<ReadPool, number> = { bulk: 5, list: 1, stream: 10 };

/**
 * Counts running long reads per tenant and pool. A slot is released exactly once, however many
 * times its release function is called.
 */
export class TenantReadLimiter {
  private readonly running = new Map<string, number>();

  constructor(private readonly limits: Record<ReadPool, number>) {}

  /** A release function if the tenant has a free slot in the pool, else null. */
  tryAcquire(tenantId: string, pool: ReadPool): (() => void) | null {
    const key = `${pool}\u0000${tenantId}`;
    const current = this.running.get(key) ?? 0;
    if (current >= this.limits[pool]) return null;
    this.running.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(key) ?? 1) - 1;
      if (left <= 0) this.running.delete(key);
      else this.running.set(key, left);
    };
  }

  inUse(tenantId: string, pool: ReadPool): number {
    return this.running.get(`${pool}\u0000${tenantId}`) ?? 0;
  }

  limitOf(pool: ReadPool): number {
    return this.limits[pool];
  }
}
