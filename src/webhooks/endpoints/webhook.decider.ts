import { Decider } from '../../event-sourcing/decider';
import { AuditFeedFilter, WebhookEndpoint, WebhookEventType } from './webhook-endpoint';
import { WebhookNotFoundError } from './webhook.errors';
import { WEBHOOK_CREATED, WEBHOOK_DELETED, WEBHOOK_DISABLED, WEBHOOK_SECRET_ROTATED, WEBHOOK_UPDATED, WebhookEvent } from './webhook.events';

export type WebhookState = { status: 'absent' } | { status: 'active'; endpoint: WebhookEndpoint } | { status: 'deleted'; version: number };

/** How long the previous secret keeps signing after a rotation (ARCHITECTURE §9). */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface WebhookSettings {
  url: string;
  description: string | null;
  eventTypes: WebhookEventType[];
  filter: AuditFeedFilter | null;
  enabled: boolean;
}

interface Addressed {
  tenantId: string;
  /** Token `sub` of the caller, or `system`. */
  by: string;
  now: Date;
}

export type WebhookCommand =
  /** `sealedSecret` is sealed by the caller (I/O stays out of the decider); `nextSequence`: the tenant log's next sequence now. */
  | (Addressed & { kind: 'create'; settings: WebhookSettings; sealedSecret: string; nextSequence: number })
  | (Addressed & { kind: 'update'; changes: Partial<WebhookSettings>; nextSequence: number })
  | (Addressed & { kind: 'rotate-secret'; sealedSecret: string })
  /** The receiver at `url` said 410 Gone: the service disables the endpoint, unless it points elsewhere by now. */
  | (Addressed & { kind: 'disable-gone'; url: string; reason: string })
  | (Addressed & { kind: 'delete' });

/**
 * One webhook endpoint of one tenant: created, edited (URL, event types, filter, enabled), its secret
 * rotated (the previous one keeps signing for 24 h), disabled by the service on 410, deleted. Every
 * change adds one to `version`; a change that changes nothing writes nothing.
 */
export function webhookDecider(webhookId: string): Decider<WebhookCommand, WebhookState, WebhookEvent> {
  return {
    initialState: { status: 'absent' },
    decide(command: WebhookCommand, state: WebhookState): WebhookEvent[] {
      const at = command.now.toISOString();
      const facts = { tenantId: command.tenantId, webhookId, by: command.by, at };
      const stamp = (endpoint: WebhookEndpoint): WebhookEndpoint => ({ ...endpoint, version: endpoint.version + 1, updatedAt: at, updatedBy: command.by });
      if (command.kind === 'create') {
        // Ids are random and server-assigned: a second creation on one stream is a programming error.
        if (state.status !== 'absent') throw new Error(`webhook ${webhookId} exists already`);
        const endpoint: WebhookEndpoint = {
          id: webhookId,
          ...command.settings,
          disabledReason: null,
          auditFeedFrom: command.settings.eventTypes.includes('audit.events') ? command.nextSequence : null,
          secrets: { current: command.sealedSecret, previous: null, rotatedAt: null },
          createdAt: at,
          createdBy: command.by,
          updatedAt: at,
          updatedBy: command.by,
          version: 1,
        };
        return [{ type: WEBHOOK_CREATED, data: { ...facts, endpoint } }];
      }
      if (state.status !== 'active') throw new WebhookNotFoundError(`webhook ${webhookId}`);
      const current = state.endpoint;
      switch (command.kind) {
        case 'update': {
          const changed: WebhookEndpoint = { ...current, ...command.changes };
          if (command.changes.enabled === true) changed.disabledReason = null;
          const streams = changed.eventTypes.includes('audit.events');
          // A feed (re)starts at the log's head when audit.events is added; while it stays, it keeps its place.
          changed.auditFeedFrom = streams ? (current.eventTypes.includes('audit.events') ? current.auditFeedFrom : command.nextSequence) : null;
          if (sameSettings(changed, current)) return [];
          return [{ type: WEBHOOK_UPDATED, data: { ...facts, endpoint: stamp(changed) } }];
        }
        case 'rotate-secret': {
          const previous = { sealed: current.secrets.current, expiresAt: new Date(command.now.getTime() + SECRET_OVERLAP_MS).toISOString() };
          return [{ type: WEBHOOK_SECRET_ROTATED, data: { ...facts, endpoint: stamp({ ...current, secrets: { current: command.sealedSecret, previous, rotatedAt: at } }) } }];
        }
        case 'disable-gone':
          // The 410 speaks for the URL that answered it: an endpoint moved to another URL meanwhile stays enabled.
          if (!current.enabled || current.url !== command.url) return [];
          return [{ type: WEBHOOK_DISABLED, data: { ...facts, reason: command.reason, endpoint: stamp({ ...current, enabled: false, disabledReason: command.reason }) } }];
        case 'delete':
          return [{ type: WEBHOOK_DELETED, data: { ...facts, version: current.version + 1 } }];
        default: {
          const unknown: never = command;
          throw new Error(`Unknown webhook command ${JSON.stringify(unknown)}`);
        }
      }
    },
    evolve(_state: WebhookState, event: WebhookEvent): WebhookState {
      return event.type === WEBHOOK_DELETED ? { status: 'deleted', version: event.data.version } : { status: 'active', endpoint: event.data.endpoint };
    },
  };
}

function sameSettings(a: WebhookEndpoint, b: WebhookEndpoint): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
