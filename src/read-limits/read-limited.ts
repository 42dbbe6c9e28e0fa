import {
  applyDecorators,
  CallHandler,
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { finalize, Observable } from 'rxjs';
import { Principal } from '../auth/principal';
import { CooperativeScheduler } from './cooperative-scheduler';
import { StreamOpenings } from './stream-openings';
import { ReadPool, RETRY_AFTER_SECONDS, TenantReadLimiter } from './tenant-read-limiter';

const READ_POOL = 'read-limits:pool';
const READ_SLOT = Symbol('read-limits:slot');
/** Status of a request whose client left before it was answered (as nginx logs it); nobody receives it. */
const CLIENT_CLOSED_REQUEST = 499;

interface Slot {
  release(): void;
  handlerStarted: boolean;
}

interface LimitedRequest {
  user?: Principal;
  [READ_SLOT]?: Slot;
}

interface LimitedResponse {
  readonly destroyed: boolean;
  setHeader(name: string, value: string): void;
  once(event: 'close', listener: () => void): void;
}

/**
 * Admits the request only if the caller's tenant has a free slot in the pool; otherwise 429
 * problem+json with Retry-After. The guard runs after authentication (a global guard) and before
 * self-audit, so a refusal reads and records nothing. The slot is held until the handler has
 * finished (an export or live tail returns when its client is gone), or until the response closes
 * if the request failed before reaching the handler.
 */
@Injectable()
export class ReadLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: TenantReadLimiter,
    private readonly openings: StreamOpenings,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const pool = this.reflector.get<ReadPool | undefined>(READ_POOL, context.getHandler());
    if (!pool) return true;
    return pool === 'stream' ? this.admitOpening(context) : this.admit(context, pool);
  }

  /**
   * A burst of stream openings: each goes on in its own turn of the event loop, taken before a slot
   * is, so that a client that leaves meanwhile holds no slot and starts no handler.
   */
  private async admitOpening(context: ExecutionContext): Promise<boolean> {
    await this.openings.turn();
    if (context.switchToHttp().getResponse<LimitedResponse>().destroyed) {
      throw new HttpException(
        { type: 'https://problems.audit-trail.dev/client-closed-request', title: 'Client Closed Request', detail: 'The client closed the connection before the stream opened.' },
        CLIENT_CLOSED_REQUEST,
      );
    }
    return this.admit(context, 'stream');
  }

  private admit(context: ExecutionContext, pool: ReadPool): boolean {
    const request = context.switchToHttp().getRequest<LimitedRequest>();
    const response = context.switchToHttp().getResponse<LimitedResponse>();
    const { tenantId, subject } = request.user!;
    const { release, refusedBy } = this.limiter.acquire(tenantId, pool, subject);
    if (!release) {
      const retryAfter = RETRY_AFTER_SECONDS[pool];
      response.setHeader('Retry-After', String(retryAfter));
      const who = refusedBy === 'user' ? 'You already hold' : 'Your tenant already runs';
      throw new HttpException(
        {
          type: 'https://problems.audit-trail.dev/too-many-concurrent-reads',
          title: 'Too Many Requests',
          detail: `${who} ${this.limiter.limitOf(pool, refusedBy)} concurrent ${POOL_NAMES[pool]}; retry after ${retryAfter} s.`,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const slot: Slot = { release, handlerStarted: false };
    request[READ_SLOT] = slot;
    response.once('close', () => {
      if (!slot.handlerStarted) slot.release();
    });
    return true;
  }
}

/**
 * Every request that reaches a handler other than a long read marks the service busy: long reads then
 * rest between their turns for a while (ADR 012, second addendum). A long read's own request does not,
 * or a lone export or search would slow itself down.
 */
@Injectable()
export class BusyServiceInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly scheduler: CooperativeScheduler,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<ReadPool | undefined>(READ_POOL, context.getHandler())) this.scheduler.noteRequest();
    return next.handle();
  }
}

/** Releases the slot when the handler has finished, successfully or not. */
@Injectable()
export class ReadSlotInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const slot = context.switchToHttp().getRequest<LimitedRequest>()[READ_SLOT];
    if (!slot) return next.handle();
    slot.handlerStarted = true;
    return next.handle().pipe(finalize(() => slot.release()));
  }
}

const POOL_NAMES: Record<ReadPool, string> = { bulk: 'exports and verifies', list: 'searches', stream: 'live tails' };

/** Limits the route per tenant by the pool's concurrency (config: *_CONCURRENCY_PER_TENANT). */
export function ReadLimited(pool: ReadPool): MethodDecorator {
  return applyDecorators(SetMetadata(READ_POOL, pool), UseGuards(ReadLimitGuard), UseInterceptors(ReadSlotInterceptor));
}
