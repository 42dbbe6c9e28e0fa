import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from '../../audit-log/audit-event';
import { AUDIT_TENANTS } from '../../audit-log/audit-log.read-model';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import { EVENT_STORE, EventStore, JsonObject } from '../../event-store/event-store.port';
import { auditStreamOf, checkpointStreamOf } from '../../event-store/stream-names';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { SIGNING_KEYS, SigningKeys } from '../signing/signing-keys';
import { Checkpoint, CHECKPOINT_RECORDED, checkpointHashOf, checkpointOf, FIRST_PREVIOUS_CHECKPOINT_HASH, signCheckpoint } from './checkpoint';
import { CHECKPOINT_CLOCK, CheckpointClock } from './checkpoint-clock';
import { WEBHOOK_EVENTS, WebhookEvents } from '../../webhooks/webhook-events.port';

/** A conflicting append means another instance checkpointed: re-read and decide again, a few times at most. */
const MAX_ATTEMPTS = 5;
/** How often tenants are looked at; a checkpoint is still only made when it is due. */
const MAX_TICK_MS = 5_000;

/**
 * Appends a signed checkpoint of a tenant's audit stream head to `checkpoints-<tenant>` when one is
 * due: the log grew and CHECKPOINT_INTERVAL_SECONDS passed since the last one, or it grew by
 * CHECKPOINT_EVERY_EVENTS. The head is read from the event store, never from the read model (which
 * only tells which tenants exist). Safe with several instances: appends carry the expected revision.
 */
@Injectable()
export class Checkpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Checkpointer');
  private starter?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(SIGNING_KEYS) private readonly keys: SigningKeys | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CHECKPOINT_CLOCK) private readonly now: CheckpointClock,
    @Inject(WEBHOOK_EVENTS) private readonly webhooks: WebhookEvents,
  ) {}

  /** The first look is one interval after start (a restart loop does not checkpoint on every start), then every tick. */
  onApplicationBootstrap(): void {
    const tickMs = Math.min(this.config.checkpoints.intervalSeconds * 1000, MAX_TICK_MS);
    const tick = () => {
      if (!this.running) this.running = this.checkpointAllTenants().finally(() => (this.running = undefined));
    };
    this.starter = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, tickMs).unref();
    }, this.config.checkpoints.intervalSeconds * 1000).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopTimer();
    await this.running;
  }

  /** Stops the periodic checkpointing (tests drive checkpointIfDue with their own clock). */
  stopTimer(): void {
    clearTimeout(this.starter);
    clearInterval(this.timer);
  }

  async checkpointAllTenants(): Promise<void> {
    const tenants = await this.readStore.find(AUDIT_TENANTS, {});
    for (const tenant of tenants) {
      try {
        await this.checkpointIfDue(tenant.id);
      } catch (error) {
        this.logger.error({ msg: 'checkpoint failed', tenantId: tenant.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** Appends a checkpoint if one is due; returns it, or null when none was due. */
  async checkpointIfDue(tenantId: string, now: Date = this.now()): Promise<Checkpoint | null> {
    const keys = this.keys;
    if (!keys) return null;
    const stream = checkpointStreamOf(tenantId);
    for (let attempt = 1; ; attempt++) {
      const [lastRecorded] = await this.events.readStream(stream, { direction: 'backwards', maxCount: 1 });
      const last = lastRecorded ? checkpointOf(lastRecorded.data) : null;
      // Pushed again every round (idempotent by key): a crash between recording and pushing only delays it.
      if (last) await this.push(last);
      const [head] = await this.events.readStream(auditStreamOf(tenantId), { direction: 'backwards', maxCount: 1 });
      if (!head || head.type !== AUDIT_EVENT_RECORDED) return null;
      if (!this.isDue(last, head.revision, now)) return null;
      const checkpoint = signCheckpoint(
        {
          tenantId,
          sequence: head.revision,
          hash: (head.data as unknown as StoredAuditEvent).hash,
          previousCheckpointHash: last ? checkpointHashOf(last) : FIRST_PREVIOUS_CHECKPOINT_HASH,
          createdAt: now.toISOString(),
          keyId: keys.keyId,
        },
        keys.privateKey,
      );
      try {
        await this.events.append(stream, [{ id: randomUUID(), type: CHECKPOINT_RECORDED, data: checkpoint as unknown as JsonObject }], lastRecorded ? lastRecorded.revision : 'no_stream');
        await this.push(checkpoint);
        return checkpoint;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** A copy outside our databases (issue 12): `integrity.checkpoint` to the tenant's subscribed webhooks. */
  private async push(checkpoint: Checkpoint): Promise<void> {
    await this.webhooks.publish(checkpoint.tenantId, { type: 'integrity.checkpoint', key: `${checkpoint.sequence}:${checkpoint.signature}`, data: checkpoint as unknown as JsonObject });
  }

  private isDue(last: Checkpoint | null, headSequence: number, now: Date): boolean {
    if (!last) return true;
    if (headSequence <= last.sequence) return false;
    if (headSequence - last.sequence >= this.config.checkpoints.everyEvents) return true;
    return now.getTime() - Date.parse(last.createdAt) >= this.config.checkpoints.intervalSeconds * 1000;
  }
}
