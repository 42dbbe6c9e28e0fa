import { ForbiddenException, Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Principal } from '../auth/principal';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { decideAndProject } from '../event-sourcing/decide-and-project';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { auditStreamOf } from '../event-store/stream-names';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../read-store/read-store.port';
import { RequestValidationError } from '../http/request-validation.error';
import { AuditedChanges } from '../self-audit/self-audit.decorators';
import { DeliveryState, newDeliveryId } from './delivery/delivery-state';
import { WebhookDispatcher, WEBHOOK_SECRET_CIPHER } from './delivery/webhook-dispatcher';
import { AuditReplays } from './delivery/audit-replays';
import { secretBinding, TEST_EVENT_TYPE, viewOf, WebhookEndpoint, WebhookView } from './endpoints/webhook-endpoint';
import { currentEndpointOf } from './endpoints/current-endpoint';
import { newWebhookOf, replayRangeOf, webhookChangesOf } from './endpoints/webhook-input';
import { webhookStreamOf } from './endpoints/webhook-stream';
import { WebhookCommand, webhookDecider, WebhookState } from './endpoints/webhook.decider';
import { WebhookConflictError, WebhookNotFoundError } from './endpoints/webhook.errors';
import { decodeWebhookEvent } from './endpoints/webhook.events';
import { SecretCipher } from './security/secret-cipher';
import { newSigningSecret } from './security/standard-webhooks';
import { UrlPolicy } from './security/url-policy';
import { WebhookClock } from './webhook-clock';
import {
  deliveryDocumentId,
  endpointDocumentId,
  WEBHOOK_DELIVERIES,
  WEBHOOK_ENDPOINTS,
  WEBHOOKS_PROJECTION,
  WebhookDeliveryDocument,
  WebhookEndpointDocument,
} from './webhooks.read-model';

/** How long a change waits for the webhooks read model, so that the next read (and the dispatcher) sees it. */
const PROJECTION_WAIT_MS = 5000;
/** Endpoints per tenant. */
export const MAX_WEBHOOKS_PER_TENANT = 50;

export interface DeliveryView {
  id: string;
  webhookId: string;
  eventType: string;
  status: string;
  createdAt: string;
  nextAttemptAt: string | null;
  audit: { fromSequence: number; toSequence: number; count: number; feed: boolean; replayId: string | null } | null;
  attempts: Array<{ attempt: number; at: string; httpStatus: number | null; durationMs: number; error: string | null; outcome: string }>;
}

export interface WebhookChangeResult {
  webhook: WebhookView | null;
  changes: AuditedChanges;
}

/** The webhook endpoints of the caller's tenant and their deliveries (ARCHITECTURE §9, ADR 020). */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');
  private readonly policy: UrlPolicy;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBHOOK_SECRET_CIPHER) private readonly cipher: SecretCipher,
    private readonly projections: ProjectionRegistry,
    private readonly dispatcher: WebhookDispatcher,
    private readonly replays: AuditReplays,
    private readonly clock: WebhookClock,
  ) {
    this.policy = { httpsOnly: config.webhooks.httpsOnly, blockPrivateNetworks: config.webhooks.blockPrivateNetworks };
  }

  async list(principal: Principal): Promise<WebhookView[]> {
    const docs = (await this.store.find(WEBHOOK_ENDPOINTS, { tenantId: principal.tenantId }, { sort: [['endpoint.createdAt', 1]], hint: 'by_tenant' })) as unknown as WebhookEndpointDocument[];
    return docs.filter((d) => d.tenantId === principal.tenantId).map((d) => viewOf(d.endpoint));
  }

  async get(principal: Principal, webhookId: string): Promise<WebhookView> {
    return viewOf(await this.endpointOf(principal, webhookId));
  }

  private async endpointOf(principal: Principal, webhookId: string): Promise<WebhookEndpoint> {
    const endpoint = await currentEndpointOf(this.events, principal.tenantId, webhookId);
    if (!endpoint) throw new WebhookNotFoundError(`webhook ${webhookId}`);
    return endpoint;
  }

  /** Creates an endpoint; the answer carries its signing secret, the only time it is ever shown. */
  async create(principal: Principal, body: unknown): Promise<WebhookChangeResult & { secret: string }> {
    const settings = newWebhookOf(body, this.policy);
    this.assertMayStream(principal, settings.eventTypes);
    if ((await this.store.count(WEBHOOK_ENDPOINTS, { tenantId: principal.tenantId })) >= MAX_WEBHOOKS_PER_TENANT) {
      throw new WebhookConflictError(`a tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhook endpoints`);
    }
    const webhookId = `wh_${randomBytes(12).toString('hex')}`;
    const secret = newSigningSecret();
    const sealedSecret = this.cipher.seal(secret, secretBinding(principal.tenantId, webhookId));
    const result = await this.decide(principal, webhookId, { ...this.addressed(principal), kind: 'create', settings, sealedSecret, nextSequence: await this.nextSequenceOf(principal.tenantId) });
    return { ...result, secret };
  }

  async update(principal: Principal, webhookId: string, body: unknown): Promise<WebhookChangeResult> {
    const changes = webhookChangesOf(body, this.policy);
    if (changes.eventTypes) this.assertMayStream(principal, changes.eventTypes);
    return this.decide(principal, webhookId, { ...this.addressed(principal), kind: 'update', changes, nextSequence: await this.nextSequenceOf(principal.tenantId) });
  }

  /** A new secret; the previous one keeps signing (second signature) for 24 h. */
  async rotateSecret(principal: Principal, webhookId: string): Promise<WebhookChangeResult & { secret: string }> {
    const secret = newSigningSecret();
    const sealedSecret = this.cipher.seal(secret, secretBinding(principal.tenantId, webhookId));
    return { ...(await this.decide(principal, webhookId, { ...this.addressed(principal), kind: 'rotate-secret', sealedSecret })), secret };
  }

  async remove(principal: Principal, webhookId: string): Promise<WebhookChangeResult> {
    return this.decide(principal, webhookId, { ...this.addressed(principal), kind: 'delete' });
  }

  /** Sends `webhook.test` now and answers with the first attempt's result (one attempt; retried like any delivery). */
  async test(principal: Principal, webhookId: string): Promise<DeliveryView> {
    const endpoint = await this.endpointOf(principal, webhookId);
    if (!endpoint.enabled) throw new WebhookConflictError(`webhook ${webhookId} is disabled; enable it first`);
    const deliveryId = newDeliveryId();
    await this.dispatcher.create({ tenantId: principal.tenantId, webhookId, deliveryId, eventType: TEST_EVENT_TYPE, data: { webhookId, message: 'Test delivery from the compliance audit trail', requestedBy: principal.subject }, audit: null, by: principal.subject });
    await this.dispatcher.firstAttempt(deliveryId, this.config.webhooks.timeoutMs + 5000);
    const state = await this.dispatcher.load(principal.tenantId, deliveryId);
    return deliveryViewOfState(state!);
  }

  async deliveries(principal: Principal, webhookId: string, query: { status?: string; limit: number; cursor?: string }): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    await this.endpointOrDeleted(principal, webhookId);
    const filter: Record<string, unknown> = { tenantId: principal.tenantId, webhookId };
    if (query.status) filter.status = query.status;
    if (query.cursor) filter.sortKey = { $lt: cursorValue(query.cursor) };
    const docs = (await this.store.find(WEBHOOK_DELIVERIES, filter as never, { sort: [['sortKey', -1]], limit: query.limit + 1, hint: 'by_webhook' })) as unknown as WebhookDeliveryDocument[];
    const page = docs.filter((d) => d.tenantId === principal.tenantId).slice(0, query.limit);
    return { items: page.map(deliveryViewOfDocument), nextCursor: docs.length > query.limit ? Buffer.from(page[page.length - 1].sortKey).toString('base64url') : null };
  }

  async delivery(principal: Principal, webhookId: string, deliveryId: string): Promise<DeliveryView> {
    return deliveryViewOfState(await this.deliveryStateOf(principal, webhookId, deliveryId));
  }

  /** Another round of attempts for a delivery that has ended (same `webhook-id`); 409 while it is still pending. */
  async retryDelivery(principal: Principal, webhookId: string, deliveryId: string): Promise<DeliveryView> {
    const state = await this.deliveryStateOf(principal, webhookId, deliveryId);
    if (state.status === 'pending') throw new WebhookConflictError(`delivery ${deliveryId} is still pending (next attempt ${state.nextAttemptAt}); it is retried on its schedule`);
    const endpoint = await this.endpointOf(principal, webhookId);
    if (!endpoint.enabled) throw new WebhookConflictError(`webhook ${webhookId} is disabled; enable it before retrying`);
    return deliveryViewOfState(await this.dispatcher.retry(state, principal.subject));
  }

  /** Sends the tenant's stored events with occurredAt in [from, to) (and the endpoint's filter) again, as new deliveries in sequence order. */
  async replay(principal: Principal, webhookId: string, body: unknown): Promise<{ replayId: string; from: string; to: string; status: 'started' }> {
    const range = replayRangeOf(body);
    const endpoint = await this.endpointOf(principal, webhookId);
    if (!endpoint.eventTypes.includes('audit.events')) throw new WebhookConflictError(`webhook ${webhookId} does not subscribe to audit.events`);
    if (!endpoint.enabled) throw new WebhookConflictError(`webhook ${webhookId} is disabled; enable it first`);
    this.assertMayStream(principal, endpoint.eventTypes);
    const replayId = `rpl_${randomBytes(8).toString('hex')}`;
    this.replays.start(principal.tenantId, endpoint, replayId, range, principal.subject);
    return { replayId, ...range, status: 'started' };
  }

  private async deliveryStateOf(principal: Principal, webhookId: string, deliveryId: string): Promise<DeliveryState> {
    const state = await this.dispatcher.load(principal.tenantId, deliveryId);
    if (!state || state.created.webhookId !== webhookId || state.created.tenantId !== principal.tenantId) throw new WebhookNotFoundError(`delivery ${deliveryId} of webhook ${webhookId}`);
    return state;
  }

  /** The delivery log stays readable after the endpoint is deleted (only never-existing ids are 404). */
  private async endpointOrDeleted(principal: Principal, webhookId: string): Promise<void> {
    if (await this.store.findById(WEBHOOK_ENDPOINTS, endpointDocumentId(principal.tenantId, webhookId))) return;
    const stream = await this.events.readStream(webhookStreamOf(principal.tenantId, webhookId), { maxCount: 1 });
    if (stream.length === 0) throw new WebhookNotFoundError(`webhook ${webhookId}`);
  }

  /** audit.events sends the tenant's whole log out: whoever sets it up must be allowed to export it. */
  private assertMayStream(principal: Principal, eventTypes: readonly string[]): void {
    if (eventTypes.includes('audit.events') && !principal.permissions.has('audit:export')) {
      throw new ForbiddenException('audit.events streams the audit log out of the service: it needs audit:export besides alerts:config:write');
    }
  }

  private addressed(principal: Principal) {
    return { tenantId: principal.tenantId, by: principal.subject, now: new Date(this.clock.now()) };
  }

  private async nextSequenceOf(tenantId: string): Promise<number> {
    const [last] = await this.events.readStream(auditStreamOf(tenantId), { direction: 'backwards', maxCount: 1 });
    return last ? last.revision + 1 : 0;
  }

  private async decide(principal: Principal, webhookId: string, command: WebhookCommand): Promise<WebhookChangeResult> {
    const result = await decideAndProject(this.events, this.projections, principal, {
      stream: webhookStreamOf(principal.tenantId, webhookId),
      decider: webhookDecider(webhookId),
      decode: decodeWebhookEvent,
      command,
      projection: WEBHOOKS_PROJECTION,
      waitMs: PROJECTION_WAIT_MS,
      logger: this.logger,
      describe: { webhook: webhookId },
    });
    return { webhook: viewOfState(result.after), changes: { before: viewOfState(result.before) as Record<string, unknown> | null, after: viewOfState(result.after) as Record<string, unknown> | null } };
  }
}

function viewOfState(state: WebhookState): WebhookView | null {
  return state.status === 'active' ? viewOf(state.endpoint) : null;
}

function cursorValue(cursor: string): string {
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z\|msg_[0-9a-f]{24}$/.test(value)) throw new RequestValidationError([{ path: 'cursor', message: 'is not a cursor of this list' }]);
  return value;
}

function attemptsView(attempts: WebhookDeliveryDocument['attempts']): DeliveryView['attempts'] {
  return attempts.map(({ attempt, at, httpStatus, durationMs, error, outcome }) => ({ attempt, at, httpStatus, durationMs, error, outcome }));
}

function auditView(audit: WebhookDeliveryDocument['audit']): DeliveryView['audit'] {
  return audit ? { fromSequence: audit.fromSequence, toSequence: audit.toSequence, count: audit.count, feed: audit.feed, replayId: audit.replayId } : null;
}

export function deliveryViewOfDocument(doc: WebhookDeliveryDocument): DeliveryView {
  return { id: doc.deliveryId, webhookId: doc.webhookId, eventType: doc.eventType, status: doc.status, createdAt: doc.createdAt, nextAttemptAt: doc.nextAttemptAt, audit: auditView(doc.audit), attempts: attemptsView(doc.attempts) };
}

export function deliveryViewOfState(state: DeliveryState): DeliveryView {
  const { created } = state;
  return {
    id: created.deliveryId,
    webhookId: created.webhookId,
    eventType: created.eventType,
    status: state.status,
    createdAt: created.createdAt,
    nextAttemptAt: state.status === 'pending' ? state.nextAttemptAt : null,
    audit: auditView(created.audit),
    attempts: attemptsView(state.attempts),
  };
}

export { deliveryDocumentId };
