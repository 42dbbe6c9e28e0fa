import { OnApplicationShutdown } from '@nestjs/common';

/** What the skeleton needs of a stream it serves. */
export interface FanOutFollower {
  subscriber: { end(lastFrame?: string): void };
  /** Resolves the stream's `follow` call. */
  done: () => void;
}

/** A tenant's shared reader and the streams it serves. */
export interface TenantFanOutState<F extends FanOutFollower> {
  tenantId: string;
  followers: Set<F>;
}

/**
 * The skeleton of the live fan-outs (ADR 021: audit tails, notification streams): one loop per tenant
 * with open streams, started by its first stream and stopped a few rounds after the last one left
 * (streams still catching up join meanwhile); its streams are ended when it fails and at shutdown.
 */
export abstract class TenantFanOut<F extends FanOutFollower, T extends TenantFanOutState<F>> implements OnApplicationShutdown {
  private readonly tails = new Map<string, T>();
  protected closed = false;

  /** Open streams (tests). */
  get size(): number {
    let n = 0;
    for (const tail of this.tails.values()) n += tail.followers.size;
    return n;
  }

  onApplicationShutdown(): void {
    this.closed = true;
    for (const tail of this.tails.values()) for (const follower of tail.followers) this.leave(tail, follower, '');
  }

  /** The tenant's shared reader, started on first use. */
  protected async tailOf(tenantId: string): Promise<T> {
    const existing = this.tails.get(tenantId);
    if (existing) return existing;
    const created = await this.createTail(tenantId);
    const raced = this.tails.get(tenantId);
    if (raced) return raced;
    this.tails.set(tenantId, created);
    void this.run(created);
    return created;
  }

  /** A new shared reader for the tenant, positioned at what it has now. */
  protected abstract createTail(tenantId: string): Promise<T>;

  /** One round of the tenant's loop: hand out what is new, or wait for the next commit. */
  protected abstract round(tail: T): Promise<void>;

  /** Logs a failure of the tenant's loop; answers the last frame for its streams ('' for none). */
  protected abstract failed(tail: T, error: unknown): string;

  /** Removes the stream; with `lastFrame` (even '') its response is ended too. */
  protected leave(tail: T, follower: F, lastFrame?: string): void {
    if (!tail.followers.delete(follower)) return;
    if (lastFrame !== undefined) follower.subscriber.end(lastFrame || undefined);
    follower.done();
  }

  protected *openTails(): Iterable<T> {
    yield* this.tails.values();
  }

  private async run(tail: T): Promise<void> {
    let idleRounds = 0;
    try {
      while (!this.closed) {
        if (tail.followers.size === 0) {
          // Streams that are catching up join within a few rounds; after that the tenant's loop stops.
          if (++idleRounds > 3) break;
        } else idleRounds = 0;
        await this.round(tail);
      }
    } catch (error) {
      const lastFrame = this.failed(tail, error);
      for (const follower of tail.followers) this.leave(tail, follower, lastFrame);
    } finally {
      if (this.tails.get(tail.tenantId) === tail) this.tails.delete(tail.tenantId);
      // Streams still attached (shutdown) are ended; one that joins after this point gets a new loop.
      for (const follower of tail.followers) this.leave(tail, follower, '');
    }
  }
}
