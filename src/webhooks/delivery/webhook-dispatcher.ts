import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditEventInput, SERVICE_NAME, StoredAuditEvent } from '../../audit-log/audit-event';
import { AuditStreamWriter } from '../../audit-log/record-audit-events/audit-stream-writer';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { decideOnStream } from '../../event-sourcing/decider-stream';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { NOTIFICATIONS, Notifications } from '../../notifications/notifications.port';
import { currentEndpointOf } from '../endpoints/current-endpoint';
import { secretBinding, WebhookEndpoint } from '../endpoints/webhook-endpoint';
import { webhookStreamOf } from '../endpoints/webhook-stream';
import { webhookDecider } from '../endpoints/webhook.decider';
import { decodeWebhookEvent } from '../endpoints/webhook.events';
import { SecretCipher } from '../security/secret-cipher';
import { standardWebhookHeaders } from '../security/standard-webhooks';
import { UrlPolicy } from '../security/url-policy';
import { WebhookClock, WebhookResolver } from '../webhook-clock';
import { endpointDocumentId } from '../webhooks.read-model';
import { auditBatchEvents } from './audit-batches';
import { attemptOutcome, deliveryStateOf, DeliveryState, DeliveryStatus, deliveryStreamOf, evolveDelivery } from './delivery-state';
import {
  AttemptOutcome,
  DeliveryAttemptData,
  DeliveryCreatedData,
  decodeDeliveryEvent,
  DeliveryEvent,
  WEBHOOK_DELIVERY_ATTEMPTED,
  WEBHOOK_DELIVERY_CREATED,
  WEBHOOK_DELIVERY_RETRY_REQUESTED,
} from './delivery.events';
import { sendWebhook } from './webhook-sender';

export const WEBHOOK_SECRET_CIPHER = Symbol('WEBHOOK_SECRET_CIPHER');

/** The body of every attempt of a delivery: `{type, timestamp, data}`; audit.events carry their batch. */
export function deliveryBody(created: DeliveryCreatedData, auditEvents?: StoredAuditEvent[]): string {
  let data = created.data ?? {};
  if (created.audit) {
    const { fromSequence, toSequence, replayId } = created.audit;
    data = { tenantId: created.tenantId, fromSequence, toSequence, ...(replayId ? { replayId } : {}), events: auditEvents ?? [] };
  }
  return JSON.stringify({ type: created.eventType, timestamp: created.createdAt, data });
}

/** One endpoint's queue: its due deliveries, at most `endpointConcurrency` in flight. */
interface Lane {
  due: string[];
  active: number;
}

interface Waiter {
  promise: Promise<DeliveryStatus>;
  resolve: (status: DeliveryStatus) => void;
}

/** Longest single timer (setTimeout's limit is 2^31-1 ms); longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Attempts persisted deliveries (ADR 020). A delivery is appended to its own stream before its first
 * attempt; every attempt's result is appended before the next is scheduled, so after a crash or restart
 * the pending ones are picked up again (at-least-once, same `webhook-id`). Each endpoint has its own lane
 * with bounded concurrency, so a slow or dead endpoint only ever holds its own lane.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly live = new Map<string, DeliveryState>();
  private readonly lanes = new Map<string, Lane>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly bodies = new Map<string, string>();
  private readonly attemptListeners = new Map<string, Array<() => void>>();
  /** Feed batches accepted but not yet recorded: their acceptance travels with the next batch's creation. */
  private readonly unrecorded = new Map<string, { state: DeliveryState; attempt: DeliveryAttemptData }>();
  private readonly attempts = new Set<Promise<void>>();
  private readonly aborter = new AbortController();
  private stopped = false;
  private readonly policy: UrlPolicy;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBHOOK_SECRET_CIPHER) private readonly cipher: SecretCipher,
    private readonly clock: WebhookClock,
    private readonly resolver: WebhookResolver,
    private readonly auditWriter: AuditStreamWriter,
    @Inject(NOTIFICATIONS) private readonly notifications: Notifications,
  ) {
    this.policy = { httpsOnly: config.webhooks.httpsOnly, blockPrivateNetworks: config.webhooks.blockPrivateNetworks };
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
    this.aborter.abort();
    await Promise.allSettled([...this.attempts]);
    for (const deliveryId of [...this.unrecorded.keys()]) await this.recordAcceptance(deliveryId).catch(() => undefined);
    this.releaseWaiters();
  }

  /**
   * Persists a new delivery and schedules it. False if a delivery with that id exists already (the
   * id is deterministic for idempotent publishers); nothing is attempted twice for it then.
   */
  async create(created: Omit<DeliveryCreatedData, 'createdAt' | 'firstAttemptAt'> & { createdAt?: string }, auditEvents?: StoredAuditEvent[]): Promise<boolean> {
    const now = this.clock.now();
    const data: DeliveryCreatedData = {
      ...created,
      createdAt: created.createdAt ?? new Date(now).toISOString(),
      firstAttemptAt: new Date(now + this.config.webhooks.retryScheduleMs[0]).toISOString(),
    };
    try {
      await this.events.append(deliveryStreamOf(data.tenantId, data.deliveryId), [{ id: randomUUID(), type: WEBHOOK_DELIVERY_CREATED, data: { ...data } }], 'no_stream');
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return false;
      throw error;
    }
    if (auditEvents) this.bodies.set(data.deliveryId, deliveryBody(data, auditEvents));
    this.track(evolveDelivery(null, { type: WEBHOOK_DELIVERY_CREATED, data }, 0));
    return true;
  }

  /** Resolves after the delivery's next recorded attempt, or after `timeoutMs`. */
  firstAttempt(deliveryId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      const listeners = this.attemptListeners.get(deliveryId) ?? [];
      listeners.push(done);
      this.attemptListeners.set(deliveryId, listeners);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /**
   * Reads a delivery's stream: the authoritative state (null if there is none). A feed batch whose
   * acceptance was recorded by its successor's creation (or is about to be) reads as delivered.
   */
  async load(tenantId: string, deliveryId: string): Promise<DeliveryState | null> {
    const recorded = await this.events.readStream(deliveryStreamOf(tenantId, deliveryId));
    if (!recorded.length) return null;
    const state = deliveryStateOf(recorded.map(decodeDeliveryEvent));
    if (state.status !== 'pending') return state;
    const accepted = this.unrecorded.get(deliveryId)?.attempt ?? (await this.acceptedBySuccessor(state));
    return accepted ? { ...state, status: 'delivered', attempts: [...state.attempts, accepted], nextAttemptAt: null } : state;
  }

  private async acceptedBySuccessor(state: DeliveryState): Promise<DeliveryAttemptData | null> {
    const successorId = state.created.audit?.successorId;
    if (!successorId) return null;
    const [first] = await this.events.readStream(deliveryStreamOf(state.created.tenantId, successorId), { maxCount: 1 });
    const accepts = first ? (decodeDeliveryEvent(first).data as DeliveryCreatedData).accepts : null;
    return accepts && accepts.deliveryId === state.created.deliveryId ? accepts : null;
  }

  /** The unrecorded acceptance of a feed batch (to be carried by the next batch's creation). */
  acceptanceOf(deliveryId: string): DeliveryAttemptData | null {
    return this.unrecorded.get(deliveryId)?.attempt ?? null;
  }

  /** The next batch's creation recorded it. */
  acceptanceRecorded(deliveryId: string): void {
    this.unrecorded.delete(deliveryId);
  }

  /** Records a feed batch's acceptance in its own stream (the feed has no next batch yet); no-op if there is none pending. */
  async recordAcceptance(deliveryId: string): Promise<void> {
    const entry = this.unrecorded.get(deliveryId);
    if (!entry) return;
    const { state, attempt } = entry;
    await this.events.append(deliveryStreamOf(state.created.tenantId, deliveryId), [{ id: randomUUID(), type: WEBHOOK_DELIVERY_ATTEMPTED, data: { ...attempt } }], state.revision);
    this.unrecorded.delete(deliveryId);
  }

  /** Picks a pending delivery up again (after a restart). */
  async resume(tenantId: string, deliveryId: string): Promise<void> {
    if (this.live.has(deliveryId)) return;
    const state = await this.load(tenantId, deliveryId);
    if (state?.status === 'pending') this.track(state);
  }

  /** A new round of attempts for a delivery that ended (failed, or delivered and wanted again); same `webhook-id`. */
  async retry(state: DeliveryState, by: string): Promise<DeliveryState> {
    const event: DeliveryEvent = { type: WEBHOOK_DELIVERY_RETRY_REQUESTED, data: { tenantId: state.created.tenantId, deliveryId: state.created.deliveryId, by, at: new Date(this.clock.now()).toISOString() } };
    await this.events.append(deliveryStreamOf(state.created.tenantId, state.created.deliveryId), [{ id: randomUUID(), type: event.type, data: { ...event.data } }], state.revision);
    const next = evolveDelivery(state, event, state.revision + 1);
    this.track(next);
    return next;
  }

  /** Resolves when the delivery is delivered or has failed (for feeds that wait for acceptance). */
  /** `pending` when this process does not attempt it (not tracked, or shutting down): read its stream then. */
  whenSettled(deliveryId: string): Promise<DeliveryStatus> {
    const state = this.live.get(deliveryId);
    if (!state || this.stopped) return Promise.resolve('pending');
    return this.waiterOf(deliveryId).promise;
  }

  isTracked(deliveryId: string): boolean {
    return this.live.has(deliveryId);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private waiterOf(deliveryId: string): Waiter {
    let waiter = this.waiters.get(deliveryId);
    if (!waiter) {
      let resolve!: (status: DeliveryStatus) => void;
      const promise = new Promise<DeliveryStatus>((r) => (resolve = r));
      waiter = { promise, resolve };
      this.waiters.set(deliveryId, waiter);
    }
    return waiter;
  }

  private track(state: DeliveryState): void {
    const id = state.created.deliveryId;
    this.live.set(id, state);
    if (state.status !== 'pending') return this.settle(id, state.status);
    this.scheduleAt(id, state.nextAttemptAt ? Date.parse(state.nextAttemptAt) : this.clock.now());
  }

  private scheduleAt(deliveryId: string, dueAt: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(deliveryId));
    this.timers.delete(deliveryId);
    const wait = dueAt - this.clock.now();
    if (wait <= 0) return this.enqueue(deliveryId);
    const timer = setTimeout(() => {
      this.timers.delete(deliveryId);
      this.scheduleAt(deliveryId, dueAt);
    }, Math.min(wait, MAX_TIMER_MS));
    timer.unref();
    this.timers.set(deliveryId, timer);
  }

  private enqueue(deliveryId: string): void {
    const state = this.live.get(deliveryId);
    if (!state) return;
    const key = endpointDocumentId(state.created.tenantId, state.created.webhookId);
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { due: [], active: 0 }));
    lane.due.push(deliveryId);
    this.pump(key, lane);
  }

  private pump(key: string, lane: Lane): void {
    while (!this.stopped && lane.active < this.config.webhooks.endpointConcurrency && lane.due.length > 0) {
      const deliveryId = lane.due.shift()!;
      lane.active++;
      const attempt = this.attempt(deliveryId)
        .catch((error: unknown) => {
          this.logger.error({ msg: 'webhook attempt could not be recorded; retried after a restart', deliveryId, error: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => {
          this.attempts.delete(attempt);
          lane.active--;
          if (lane.active === 0 && lane.due.length === 0) this.lanes.delete(key);
          else this.pump(key, lane);
        });
      this.attempts.add(attempt);
    }
  }

  private async attempt(deliveryId: string): Promise<void> {
    const state = this.live.get(deliveryId);
    if (!state || state.status !== 'pending') return;
    const { tenantId, webhookId } = state.created;
    const endpoint = await currentEndpointOf(this.events, tenantId, webhookId);
    const now = this.clock.now();
    if (!endpoint || !endpoint.enabled) {
      // Not sent: the endpoint is gone or switched off. A manual retry after enabling it sends it.
      return this.record(state, { status: null, durationMs: 0, error: endpoint ? 'not sent: the endpoint is disabled' : 'not sent: the endpoint was deleted' }, 'failed', null, now, endpoint);
    }
    const body = await this.bodyOf(state);
    const headers = standardWebhookHeaders(this.secretsOf(tenantId, endpoint, now), deliveryId, Math.floor(now / 1000), body);
    const result = await sendWebhook(endpoint.url, headers, body, { timeoutMs: this.config.webhooks.timeoutMs, policy: this.policy, now: () => this.clock.now(), signal: this.aborter.signal, resolve: this.resolver.lookup });
    if (this.stopped) return; // aborted by shutdown: not recorded, attempted again after the restart
    const next = attemptOutcome(result, state.roundAttempts, this.config.webhooks.retryScheduleMs, this.clock.now());
    await this.record(state, result, next.outcome, next.nextAttemptAt, now, endpoint);
  }

  private async record(
    state: DeliveryState,
    result: { status: number | null; durationMs: number; error: string | null },
    outcome: AttemptOutcome,
    nextAttemptAt: string | null,
    at: number,
    endpoint: WebhookEndpoint | null,
  ): Promise<void> {
    const { tenantId, deliveryId, webhookId } = state.created;
    const data: DeliveryAttemptData = {
      tenantId,
      deliveryId,
      attempt: state.attempts.length + 1,
      at: new Date(at).toISOString(),
      durationMs: result.durationMs,
      httpStatus: result.status,
      error: result.error,
      outcome,
      nextAttemptAt,
    };
    const event: DeliveryEvent = { type: WEBHOOK_DELIVERY_ATTEMPTED, data };
    if (outcome === 'delivered' && state.created.audit?.feed && state.created.audit.successorId) {
      // A live feed batch: its acceptance is recorded by the feed, with the next batch if there is one.
      this.unrecorded.set(deliveryId, { state, attempt: data });
    } else {
      await this.events.append(deliveryStreamOf(tenantId, deliveryId), [{ id: randomUUID(), type: event.type, data: { ...data } }], state.revision);
    }
    const next = evolveDelivery(state, event, state.revision + 1);
    this.live.set(deliveryId, next);
    const listeners = this.attemptListeners.get(deliveryId);
    this.attemptListeners.delete(deliveryId);
    listeners?.forEach((listener) => listener());
    this.logger.debug({ msg: 'webhook attempt', tenantId, webhookId, deliveryId, attempt: data.attempt, httpStatus: data.httpStatus, outcome, durationMs: data.durationMs });
    if (outcome === 'retrying') return this.scheduleAt(deliveryId, Date.parse(nextAttemptAt!));
    this.settle(deliveryId, next.status);
    if (outcome === 'gone' && endpoint) await this.disableGone(tenantId, endpoint, result.status);
    if ((outcome === 'failed' || outcome === 'gone') && endpoint) await this.notifyFailed(next, endpoint);
  }

  private settle(deliveryId: string, status: DeliveryStatus): void {
    this.live.delete(deliveryId);
    this.bodies.delete(deliveryId);
    const timer = this.timers.get(deliveryId);
    if (timer) clearTimeout(timer);
    this.timers.delete(deliveryId);
    const waiter = this.waiters.get(deliveryId);
    this.waiters.delete(deliveryId);
    waiter?.resolve(status);
  }

  /** Shutdown: nothing more is attempted; whoever waits for a delivery hears `pending`. */
  private releaseWaiters(): void {
    this.waiters.forEach((waiter) => waiter.resolve('pending'));
    this.waiters.clear();
    this.attemptListeners.forEach((listeners) => listeners.forEach((listener) => listener()));
    this.attemptListeners.clear();
  }

  /** The current secret, and the previous one while its overlap lasts (two signatures). */
  private secretsOf(tenantId: string, endpoint: WebhookEndpoint, now: number): string[] {
    const binding = secretBinding(tenantId, endpoint.id);
    const secrets = [this.cipher.open(endpoint.secrets.current, binding)];
    const previous = endpoint.secrets.previous;
    if (previous && Date.parse(previous.expiresAt) > now) secrets.push(this.cipher.open(previous.sealed, binding));
    return secrets;
  }

  /** The exact body of every attempt: `{type, timestamp, data}`, audit batches rebuilt from the log. */
  private async bodyOf(state: DeliveryState): Promise<string> {
    const cached = this.bodies.get(state.created.deliveryId);
    if (cached) return cached;
    const { created } = state;
    const events = created.audit ? await auditBatchEvents(this.events, created.tenantId, created.audit.fromSequence, created.audit.toSequence, created.audit.filter) : undefined;
    const body = deliveryBody(created, events);
    this.bodies.set(created.deliveryId, body);
    return body;
  }

  /**
   * 410 Gone: the endpoint is disabled (event-sourced as the system) and that is recorded in the tenant's log.
   * The answer holds for the URL that gave it, whatever else changed on the endpoint meanwhile: a lost race
   * decides again, and the decider leaves an endpoint alone that points to another URL by now.
   */
  private async disableGone(tenantId: string, endpoint: WebhookEndpoint, status: number | null): Promise<void> {
    const reason = `the receiver answered ${status} Gone`;
    try {
      const result = await decideOnStream(this.events, webhookStreamOf(tenantId, endpoint.id), webhookDecider(endpoint.id), decodeWebhookEvent, { tenantId, by: 'system', now: new Date(this.clock.now()), kind: 'disable-gone', url: endpoint.url, reason }, { tenantId, actorId: 'system' }, { redecideOnConflict: 3 });
      if (result.events.length === 0) return;
      const input: AuditEventInput = {
        occurredAt: new Date(this.clock.now()).toISOString(),
        actor: { id: 'webhook-dispatcher', type: 'system' },
        action: 'webhook.disable',
        outcome: 'success',
        resource: { type: 'webhook', id: endpoint.id },
        changes: { before: { enabled: true }, after: { enabled: false, disabledReason: reason } },
        channel: 'system',
        context: { sourceService: SERVICE_NAME },
        metadata: { reason },
      };
      await this.auditWriter.record(tenantId, [input]);
      this.logger.warn({ msg: 'webhook endpoint disabled: its receiver answered 410 Gone', tenantId, webhookId: endpoint.id });
    } catch (error) {
      this.logger.error({ msg: 'could not disable a webhook endpoint after 410', tenantId, webhookId: endpoint.id, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Exhausted (or gone): a notification to the tenant's alert recipients. */
  private async notifyFailed(state: DeliveryState, endpoint: WebhookEndpoint): Promise<void> {
    const { tenantId, deliveryId, eventType } = state.created;
    const last = state.attempts[state.attempts.length - 1];
    try {
      await this.notifications.publish(tenantId, {
        kind: 'webhook',
        title: `Webhook delivery failed after ${state.attempts.length} attempt(s): ${eventType} to ${new URL(endpoint.url).host}${last?.error ? ` (${last.error.slice(0, 120)})` : ''}`,
        severity: 'medium',
        link: `/v1/webhooks/${endpoint.id}/deliveries/${deliveryId}`,
        webhookId: endpoint.id,
        key: `webhook-delivery-failed:${deliveryId}:${state.attempts.length}`,
        occurredAt: last?.at ?? new Date(this.clock.now()).toISOString(),
      });
    } catch (error) {
      this.logger.error({ msg: 'could not notify a failed webhook delivery', tenantId, deliveryId, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
