import { Principal } from './principal';

const MAX_ENTRIES = 10_000;
const MAX_AGE_MS = 5 * 60 * 1000;

/**
 * Principals of recently verified tokens, keyed by the exact token string (signature included), so
 * a service that sends the same token with every request is verified once, not per request. An
 * entry never outlives its token's `exp`, nor five minutes; the map is bounded (oldest evicted).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  set(token: string, principal: Principal, expiresAtSeconds: number): void {
    const until = Math.min(expiresAtSeconds * 1000, this.now() + MAX_AGE_MS);
    if (until <= this.now()) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { principal, until });
  }
}
