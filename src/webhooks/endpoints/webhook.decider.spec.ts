import { foldEvents } from '../../event-sourcing/decider';
import { SECRET_OVERLAP_MS, WebhookCommand, webhookDecider, WebhookSettings, WebhookState } from './webhook.decider';
import { WebhookNotFoundError } from './webhook.errors';
import { WebhookEvent } from './webhook.events';

const now = new Date('2026-11-28T10:00:00.000Z');
const who = { tenantId: 'acme', by: 'alice', now };
const settings: WebhookSettings = { url: 'https://siem.example.com/hook', description: null, eventTypes: ['alert.raised'], filter: null, enabled: true };
const create = { ...who, kind: 'create', settings, sealedSecret: 'sealed-1', nextSequence: 7 } as const;

/** Given the commands already decided on a webhook stream, when a command is decided: the new events (or the refusal). */
function given(history: WebhookCommand[] = []) {
  const decider = webhookDecider('wh_000000000000000000000001');
  const events: WebhookEvent[] = [];
  for (const command of history) events.push(...decider.decide(command, foldEvents(decider, events)));
  const state: WebhookState = foldEvents(decider, events);
  return { state, when: (command: WebhookCommand) => decider.decide(command, state) };
}

describe('webhook endpoint decider', () => {
  it('creates an endpoint at version 1 holding only the sealed secret, with no audit feed when audit.events is not subscribed', () => {
    const [event] = given().when(create);
    expect(event).toMatchObject({
      type: 'WebhookCreated.v1',
      data: { tenantId: 'acme', webhookId: 'wh_000000000000000000000001', by: 'alice', endpoint: { ...settings, version: 1, auditFeedFrom: null, secrets: { current: 'sealed-1', previous: null, rotatedAt: null } } },
    });
  });

  it('starts the audit.events feed at the log head given at creation, and keeps that start across unrelated edits', () => {
    const withFeed = { ...create, settings: { ...settings, eventTypes: ['audit.events' as const] } };
    expect(given().when(withFeed)[0].data).toMatchObject({ endpoint: { auditFeedFrom: 7 } });
    const edited = given([withFeed]).when({ ...who, kind: 'update', changes: { description: 'SIEM' }, nextSequence: 99 });
    expect(edited[0]).toMatchObject({ type: 'WebhookUpdated.v1', data: { endpoint: { auditFeedFrom: 7, description: 'SIEM', version: 2 } } });
  });

  it('adding audit.events later starts the feed at the head given then; removing it clears the feed', () => {
    const added = given([create]).when({ ...who, kind: 'update', changes: { eventTypes: ['alert.raised', 'audit.events'] }, nextSequence: 42 });
    expect(added[0].data).toMatchObject({ endpoint: { auditFeedFrom: 42 } });
    const withFeed: WebhookCommand = { ...who, kind: 'update', changes: { eventTypes: ['audit.events'] }, nextSequence: 42 };
    expect(given([create, withFeed]).when({ ...who, kind: 'update', changes: { eventTypes: ['alert.raised'] }, nextSequence: 50 })[0].data).toMatchObject({ endpoint: { auditFeedFrom: null } });
  });

  it('an edit that changes nothing writes nothing', () => {
    expect(given([create]).when({ ...who, kind: 'update', changes: { url: settings.url, enabled: true }, nextSequence: 9 })).toEqual([]);
  });

  it('rotation makes the new sealed secret current and keeps the old one signing for exactly 24 h', () => {
    const [event] = given([create]).when({ ...who, kind: 'rotate-secret', sealedSecret: 'sealed-2' });
    expect(event).toMatchObject({
      type: 'WebhookSecretRotated.v1',
      data: { endpoint: { version: 2, secrets: { current: 'sealed-2', previous: { sealed: 'sealed-1', expiresAt: new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString() }, rotatedAt: now.toISOString() } } },
    });
  });

  it('a 410 disables an enabled endpoint once with the reason; enabling it again clears the reason', () => {
    const gone = { ...who, by: 'system', kind: 'disable-gone', url: settings.url, reason: 'receiver answered 410 Gone' } as const;
    expect(given([create]).when(gone)[0]).toMatchObject({ type: 'WebhookDisabled.v1', data: { endpoint: { enabled: false, disabledReason: 'receiver answered 410 Gone' } } });
    expect(given([create, gone]).when(gone)).toEqual([]);
    expect(given([create, gone]).when({ ...who, kind: 'update', changes: { enabled: true }, nextSequence: 0 })[0].data).toMatchObject({ endpoint: { enabled: true, disabledReason: null } });
  });

  it('a 410 from a URL the endpoint no longer points to changes nothing (an admin moved it while the attempt ran)', () => {
    const moved = { ...who, kind: 'update', changes: { url: 'https://siem.example.com/new-hook' }, nextSequence: 8 } as const;
    expect(given([create, moved]).when({ ...who, by: 'system', kind: 'disable-gone', url: settings.url, reason: 'receiver answered 410 Gone' })).toEqual([]);
  });

  it('deletes at version + 1; every command on an absent or deleted endpoint is WebhookNotFoundError', () => {
    expect(given([create]).when({ ...who, kind: 'delete' })[0]).toMatchObject({ type: 'WebhookDeleted.v1', data: { version: 2 } });
    for (const history of [[], [create, { ...who, kind: 'delete' } as const]]) {
      const { when } = given(history);
      expect(() => when({ ...who, kind: 'delete' })).toThrow(WebhookNotFoundError);
      expect(() => when({ ...who, kind: 'rotate-secret', sealedSecret: 'x' })).toThrow(WebhookNotFoundError);
      expect(() => when({ ...who, kind: 'update', changes: { enabled: false }, nextSequence: 0 })).toThrow(WebhookNotFoundError);
    }
  });
});
