/** Pools of long reads limited per tenant: exports and verifies share `bulk`. */
export type ReadPool = 'bulk' | 'list' | 'stream';

/** Seconds a refused caller is told to wait: about how long one such read usually takes. */
export const RETRY_AFTER_SECONDS: Record<ReadPool, number> = { bulk: 5, list: 1, stream: 10 };

/** Why a slot was refused: the tenant's pool is full, or (where limited) the user's share of it. */
export type Refusal = 'tenant' | 'user';

/**
 * Counts running long reads per tenant and pool, and per user where a pool limits users too. A slot
 * is released exactly once, however many times its release function is called.
 */
export class TenantReadLimiter {
  private readonly running = new Map<string, number>();

  constructor(
    private readonly limits: Record<ReadPool, number>,
    private readonly perUser: Partial<Record<ReadPool, number>> = {},
  ) {}

  /** A release function if the tenant (and the user) has a free slot in the pool, else null. */
  tryAcquire(tenantId: string, pool: ReadPool, subject?: string): (() => void) | null {
    return this.acquire(tenantId, pool, subject).release;
  }

  /** Like tryAcquire, saying which limit refused. */
  acquire(tenantId: string, pool: ReadPool, subject?: string): { release: (() => void) | null; refusedBy?: Refusal } {
    const tenantKey = `${pool}\u0000${tenantId}`;
    if ((this.running.get(tenantKey) ?? 0) >= this.limits[pool]) return { release: null, refusedBy: 'tenant' };
    const userLimit = this.perUser[pool];
    const userKey = userLimit !== undefined && subject !== undefined ? `${pool}\u0000${tenantId}\u0000${subject}` : null;
    if (userKey !== null && (this.running.get(userKey) ?? 0) >= userLimit!) return { release: null, refusedBy: 'user' };
    const keys = userKey === null ? [tenantKey] : [tenantKey, userKey];
    for (const key of keys) this.running.set(key, (this.running.get(key) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const key of keys) {
          const left = (this.running.get(key) ?? 1) - 1;
          if (left <= 0) this.running.delete(key);
          else this.running.set(key, left);
        }
      },
    };
  }

  inUse(tenantId: string, pool: ReadPool): number {
    return this.running.get(`${pool}\u0000${tenantId}`) ?? 0;
  }

  limitOf(pool: ReadPool, refusedBy: Refusal = 'tenant'): number {
    return refusedBy === 'user' ? (this.perUser[pool] ?? this.limits[pool]) : this.limits[pool];
  }
}
