import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { AUDIT_EVENT_RECORDED, SERVICE_NAME, StoredAuditEvent } from '../audit-log/audit-event';
import { AUDIT_TENANTS } from '../audit-log/audit-log.read-model';
import { AuditStreamWriter } from '../audit-log/record-audit-events/audit-stream-writer';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors';
import { EVENT_STORE, EventStore, JsonObject } from '../event-store/event-store.port';
import { auditStreamOf, retentionStreamOf } from '../event-store/stream-names';
import { RETENTION_EXPIRE_ACTION } from '../integrity/expired-range';
import { READ_STORE, ReadStore } from '../read-store/read-store.port';
import {
  RETENTION_EVENTS_EXPIRED,
  RETENTION_EXPIRY_STARTED,
  RetentionEventsExpired,
  RetentionExpiryStarted,
  RetentionState,
  retentionStateOf,
} from './retention-policy';

/** Injection token of the clock the expiry job compares recordedAt with (tests pass a controllable one). */
export const RETENTION_CLOCK = Symbol('RETENTION_CLOCK');
export type RetentionClock = () => Date;

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first run after start, unless the interval is shorter. */
const FIRST_RUN_DELAY_MS = 60_000;
const SCAN_PAGE = 500;

/**
 * The daily retention job (ADR 025), the only code that deletes events. Per tenant it expires the
 * events recorded (recordedAt, which the service controls) before now − policy, from the front of the
 * stream only: the scan stops at the first event that is not old enough, so no hole is ever made.
 *
 * Order, so that a crash at any point leaves the log verifiable and the run resumable:
 * 1. claim the range on `retention-<tenant>` (expected revision: of two instances, one wins);
 * 2. record `retention.expire` {count, fromSequence, toSequence, lastExpiredHash} in the tenant's log,
 *    with an id derived from the range (idempotent when a resumed run records it again);
 * 3. per batch: record the batch's event ids (read models drop them), then truncate the stream.
 */
@Injectable()
export class RetentionExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionExpiry');
  private starter?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly writer: AuditStreamWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RETENTION_CLOCK) private readonly now: RetentionClock,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.config.retention.intervalSeconds * 1000;
    const tick = () => {
      if (!this.running) this.running = this.expireAllTenants().finally(() => (this.running = undefined));
    };
    this.starter = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, intervalMs).unref();
    }, Math.min(FIRST_RUN_DELAY_MS, intervalMs)).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopTimer();
    await this.running;
  }

  /** Stops the periodic runs (tests call expireAllTenants / expireTenant with their own clock). */
  stopTimer(): void {
    clearTimeout(this.starter);
    clearInterval(this.timer);
  }

  async expireAllTenants(now: Date = this.now()): Promise<void> {
    const tenants = await this.readStore.find(AUDIT_TENANTS, {});
    for (const tenant of tenants) {
      try {
        await this.expireTenant(tenant.id, now);
      } catch (error) {
        this.logger.error({ msg: 'retention expiry failed', tenantId: tenant.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** Expires what the tenant's policy says is due; returns the range claimed (or resumed), or null when nothing was due. */
  async expireTenant(tenantId: string, now: Date = this.now()): Promise<RetentionExpiryStarted | null> {
    const retention = retentionStreamOf(tenantId);
    const audit = auditStreamOf(tenantId);
    let state = retentionStateOf(await this.events.readStream(retention));
    // A run that stopped between recording a batch and truncating: the store catches up first.
    if (state.expiredBefore > 0) await this.events.truncateBefore(audit, state.expiredBefore);

    let expiry = state.lastExpiry && state.expiredBefore <= state.lastExpiry.toSequence ? state.lastExpiry : null;
    if (!expiry) {
      const planned = await this.plan(tenantId, state, now);
      if (!planned) return null;
      try {
        await this.events.append(retention, [{ id: randomUUID(), type: RETENTION_EXPIRY_STARTED, data: planned as unknown as JsonObject }], expectedOf(state));
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) {
          this.logger.log({ msg: 'another instance is expiring this tenant', tenantId });
          return null;
        }
        throw error;
      }
      state = retentionStateOf(await this.events.readStream(retention));
      expiry = planned;
    }
    await this.recordInLog(expiry);
    await this.expireInBatches(expiry, state);
    this.logger.log({ msg: 'events expired by retention', tenantId, fromSequence: expiry.fromSequence, toSequence: expiry.toSequence, count: expiry.count });
    return expiry;
  }

  /** The front of the stream recorded before the cutoff, or null when none is. */
  private async plan(tenantId: string, state: RetentionState, now: Date): Promise<RetentionExpiryStarted | null> {
    const cutoff = new Date(now.getTime() - state.retentionDays * DAY_MS);
    const audit = auditStreamOf(tenantId);
    let last: StoredAuditEvent | null = null;
    let from: number | null = null;
    for (let next = state.expiredBefore; ; ) {
      const page = await this.events.readStream(audit, { fromRevision: next, maxCount: SCAN_PAGE });
      let stop = page.length === 0;
      for (const recorded of page) {
        const event = recorded.data as unknown as StoredAuditEvent;
        if (recorded.type !== AUDIT_EVENT_RECORDED || !(Date.parse(event.recordedAt) < cutoff.getTime())) {
          stop = true;
          break;
        }
        from ??= recorded.revision;
        last = event;
      }
      if (stop) break;
      next = page[page.length - 1].revision + 1;
    }
    if (from === null || !last) return null;
    return {
      tenantId,
      fromSequence: from,
      toSequence: last.sequence,
      count: last.sequence - from + 1,
      lastExpiredHash: last.hash,
      cutoff: cutoff.toISOString(),
      retentionDays: state.retentionDays,
      startedAt: now.toISOString(),
    };
  }

  private async recordInLog(expiry: RetentionExpiryStarted): Promise<void> {
    await this.writer.record(expiry.tenantId, [
      {
        id: recordIdOf(expiry),
        occurredAt: expiry.startedAt,
        actor: { id: 'retention-policy', type: 'system' },
        action: RETENTION_EXPIRE_ACTION,
        outcome: 'success',
        resource: { type: 'audit_log', id: expiry.tenantId },
        channel: 'system',
        context: { sourceService: SERVICE_NAME },
        metadata: {
          count: expiry.count,
          fromSequence: expiry.fromSequence,
          toSequence: expiry.toSequence,
          lastExpiredHash: expiry.lastExpiredHash,
          cutoff: expiry.cutoff,
          retentionDays: expiry.retentionDays,
        },
      },
    ]);
  }

  private async expireInBatches(expiry: RetentionExpiryStarted, state: RetentionState): Promise<void> {
    const retention = retentionStreamOf(expiry.tenantId);
    const audit = auditStreamOf(expiry.tenantId);
    let revision = state.revision;
    for (let from = Math.max(state.expiredBefore, expiry.fromSequence); from <= expiry.toSequence; ) {
      const to = Math.min(expiry.toSequence, from + this.config.retention.batchEvents - 1);
      const page = await this.events.readStream(audit, { fromRevision: from, maxCount: to - from + 1 });
      const batch: RetentionEventsExpired = { tenantId: expiry.tenantId, fromSequence: from, toSequence: to, eventIds: page.map((e) => (e.data as unknown as StoredAuditEvent).id) };
      const appended = await this.events.append(retention, [{ id: randomUUID(), type: RETENTION_EVENTS_EXPIRED, data: batch as unknown as JsonObject }], revision);
      revision = appended.nextExpectedRevision;
      await this.events.truncateBefore(audit, to + 1);
      from = to + 1;
    }
  }
}

function expectedOf(state: RetentionState): number | 'no_stream' {
  return state.revision === -1 ? 'no_stream' : state.revision;
}

/** A UUID-shaped id derived from the range: a resumed run records the same event, which the writer recognises. */
function recordIdOf(expiry: RetentionExpiryStarted): string {
  const hex = createHash('sha256').update(`retention.expire/${expiry.tenantId}/${expiry.fromSequence}/${expiry.toSequence}/${expiry.lastExpiredHash}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
