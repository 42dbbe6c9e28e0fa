import { SERVICE_NAME } from '../audit-event';
import { MAX_JSON_DEPTH } from '../audit-event';
import { AuditEventTooLargeError, AuditEventValidationError, FieldError, validateAuditEvents } from './audit-event.validator';

const NOW = new Date('2026-11-26T10:00:00.000Z');
const UUID = '3f1c2a9e-8b7d-4c6e-9a1f-2b3c4d5e6f70';

type Payload = Record<string, unknown>;

/** The smallest event the API accepts. */
function anEvent(overrides: Payload = {}): Payload {
  return {
    occurredAt: '2026-11-26T09:15:00.000Z',
    actor: { id: 'alice', type: 'user' },
    action: 'invoice.update',
    resource: { type: 'invoice', id: 'INV-1042' },
    channel: 'ui',
    ...overrides,
  };
}

/** An event using every accepted field, already in normalised form. */
function aFullEvent(): Payload {
  return {
    id: UUID,
    tenantId: 'acme',
    occurredAt: '2026-11-26T09:15:00.000Z',
    actor: { id: 'alice', type: 'admin', role: 'finance_manager', sessionId: 's-81', ip: '203.0.113.7', userAgent: 'Mozilla/5.0', onBehalfOf: 'bob' },
    action: 'invoice.update',
    outcome: 'failure',
    resource: { type: 'invoice', id: 'INV-1042', name: 'Invoice 1042', sensitivity: 'financial' },
    changes: { before: { amount: 1200, status: 'draft' }, after: { amount: 1250, status: 'approved' } },
    channel: 'api',
    context: { requestId: 'req-9a', correlationId: 'corr-1', workflowId: 'wf-7', sourceService: 'billing' },
    dataSubjects: ['customer-1', 'customer-2'],
    metadata: { free: { form: ['anything', 1, null] } },
  };
}

/** `{"a":{"a":…{}}}`: `levels` objects nested in each other, built without recursion. */
function nestedObjects(levels: number): Payload {
  let value: Payload = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

function without(event: Payload, field: string): Payload {
  const copy = { ...event };
  delete copy[field];
  return copy;
}

/** An event (outcome given, so no default is added) whose JSON is exactly `bytes` long. */
function anEventOfBytes(bytes: number, pad = 'x'): Payload {
  const event = anEvent({ outcome: 'success', metadata: { pad: '' } });
  const missing = bytes - Buffer.byteLength(JSON.stringify(event));
  const unit = Buffer.byteLength(pad);
  event.metadata = { pad: pad.repeat(Math.floor(missing / unit)) + 'x'.repeat(missing % unit) };
  expect(Buffer.byteLength(JSON.stringify(event))).toBe(bytes);
  return event;
}

function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but the call returned');
}

/** The field errors of the AuditEventValidationError the call must throw. */
function validationErrors(events: unknown, now = NOW, pathPrefix?: string): FieldError[] {
  const error = thrownBy(() => validateAuditEvents(events, now, pathPrefix));
  expect(error).toBeInstanceOf(AuditEventValidationError);
  return (error as AuditEventValidationError).errors;
}

function pathsOf(errors: FieldError[]): string[] {
  return errors.map((e) => e.path).sort();
}

describe(validateAuditEvents.name, () => {
  describe('valid events', () => {
    it('accepts a minimal event and returns it', () => {
      const events = [anEvent()];
      const result = validateAuditEvents(events, NOW);
      expect(result).toHaveLength(1);
      expect(result[0]).toMatchObject(anEvent());
    });

    it('accepts an event using every field, unchanged (metadata is free-form)', () => {
      expect(validateAuditEvents([aFullEvent()], NOW)).toEqual([aFullEvent()]);
    });

    it("defaults outcome to 'success' and keeps a given outcome", () => {
      const [defaulted, given] = validateAuditEvents([anEvent(), anEvent({ outcome: 'denied' })], NOW);
      expect(defaulted.outcome).toBe('success');
      expect(given.outcome).toBe('denied');
    });
  });

  describe('occurredAt', () => {
    it.each([
      ['an offset', '2026-11-26T11:15:00+02:00', '2026-11-26T09:15:00.000Z'],
      ['a negative offset and fractional seconds', '2026-11-26T04:15:00.5-05:00', '2026-11-26T09:15:00.500Z'],
      ['Z without milliseconds', '2026-11-26T09:15:00Z', '2026-11-26T09:15:00.000Z'],
    ])('normalises %s to UTC ISO-8601 with milliseconds', (_, occurredAt, expected) => {
      const [event] = validateAuditEvents([anEvent({ occurredAt })], NOW);
      expect(event.occurredAt).toBe(expected);
    });

    it.each([
      ['no timezone', '2026-11-26T09:15:00'],
      ['a date only', '2026-11-26'],
      ['no date-time at all', 'yesterday'],
      ['an impossible date', '2026-02-30T09:15:00Z'],
      ['a number', 1764148500000],
    ])('rejects %s', (_, occurredAt) => {
      expect(pathsOf(validationErrors([anEvent({ occurredAt })]))).toEqual(['events[0].occurredAt']);
    });

    it('accepts a time exactly 5 minutes after now', () => {
      const [event] = validateAuditEvents([anEvent({ occurredAt: '2026-11-26T10:05:00.000Z' })], NOW);
      expect(event.occurredAt).toBe('2026-11-26T10:05:00.000Z');
    });

    it.each([
      ['in UTC', '2026-11-26T10:05:00.001Z'],
      ['with an offset', '2026-11-26T12:05:00.001+02:00'],
    ])('rejects a time more than 5 minutes after now (%s)', (_, occurredAt) => {
      expect(validationErrors([anEvent({ occurredAt })])).toEqual([{ path: 'events[0].occurredAt', message: 'is more than 5 minutes in the future' }]);
    });

    it('accepts a time long in the past', () => {
      expect(() => validateAuditEvents([anEvent({ occurredAt: '2001-01-01T00:00:00Z' })], NOW)).not.toThrow();
    });
  });

  describe('unknown fields', () => {
    it.each([
      ['at the top level', anEvent({ severity: 'high' }), 'events[2].severity'],
      ['in actor', anEvent({ actor: { id: 'alice', type: 'user', nickname: 'Al' } }), 'events[2].actor.nickname'],
      ['in resource', anEvent({ resource: { type: 'invoice', id: 'INV-1', owner: 'bob' } }), 'events[2].resource.owner'],
      ['in changes', anEvent({ changes: { before: null, after: {}, diff: [] } }), 'events[2].changes.diff'],
      ['in context', anEvent({ context: { requestId: 'r', traceId: 't' } }), 'events[2].context.traceId'],
    ])('are rejected %s, with the field path', (_, bad, path) => {
      expect(validationErrors([anEvent(), anEvent(), bad])).toEqual([{ path, message: 'is not an accepted field' }]);
    });
  });

  describe('required fields', () => {
    it.each(['occurredAt', 'actor', 'action', 'resource', 'channel'])('rejects an event without %s', (field) => {
      expect(validationErrors([without(anEvent(), field)])).toEqual([{ path: `events[0].${field}`, message: 'is required' }]);
    });

    it.each([
      ['actor.id', { actor: { type: 'user' } }],
      ['actor.type', { actor: { id: 'alice' } }],
      ['resource.type', { resource: { id: 'INV-1' } }],
      ['resource.id', { resource: { type: 'invoice' } }],
    ])('rejects an event without %s', (path, overrides) => {
      expect(validationErrors([anEvent(overrides)])).toEqual([{ path: `events[0].${path}`, message: 'is required' }]);
    });

    it('rejects an event that is not an object, by index', () => {
      expect(validationErrors([anEvent(), 'invoice.update', null])).toEqual([
        { path: 'events[1]', message: 'must be object' },
        { path: 'events[2]', message: 'must be object' },
      ]);
    });

    it('rejects an empty string where text is required', () => {
      expect(pathsOf(validationErrors([anEvent({ actor: { id: '', type: 'user' } })]))).toEqual(['events[0].actor.id']);
    });
  });

  describe('enumerations', () => {
    it.each([
      ['actor.type', { actor: { id: 'alice', type: 'robot' } }, 'user, admin, ai_agent, service, system'],
      ['outcome', { outcome: 'maybe' }, 'success, failure, denied'],
      ['channel', { channel: 'email' }, 'ui, api, workflow, system'],
      ['resource.sensitivity', { resource: { type: 'invoice', id: 'INV-1', sensitivity: 'secret' } }, 'public, internal, personal, financial, restricted'],
    ])('rejects an unknown %s and names the allowed values', (path, overrides, allowed) => {
      expect(validationErrors([anEvent(overrides)])).toEqual([{ path: `events[0].${path}`, message: `must be one of ${allowed}` }]);
    });

    it.each(['user', 'admin', 'ai_agent', 'service', 'system'])('accepts actor.type %s', (type) => {
      expect(() => validateAuditEvents([anEvent({ actor: { id: 'x', type } })], NOW)).not.toThrow();
    });
  });

  describe('id', () => {
    it('accepts a UUID', () => {
      expect(validateAuditEvents([anEvent({ id: UUID })], NOW)[0].id).toBe(UUID);
    });

    it.each(['not-a-uuid', '3f1c2a9e8b7d4c6e9a1f2b3c4d5e6f70', `${UUID}0`, '', 42])('rejects %p', (id) => {
      expect(pathsOf(validationErrors([anEvent({ id })]))).toEqual(['events[0].id']);
    });
  });

  describe('actor.ip', () => {
    it.each(['203.0.113.7', '2001:db8::1', '::1', '::ffff:192.0.2.1'])('accepts %s', (ip) => {
      expect(() => validateAuditEvents([anEvent({ actor: { id: 'alice', type: 'user', ip } })], NOW)).not.toThrow();
    });

    it.each(['999.1.1.1', 'localhost', '203.0.113.7:8080', '2001:db8::g', ''])('rejects %p, all errors on actor.ip', (ip) => {
      const errors = validationErrors([anEvent({ actor: { id: 'alice', type: 'user', ip } })]);
      expect(errors.length).toBeGreaterThan(0);
      expect(new Set(errors.map((e) => e.path))).toEqual(new Set(['events[0].actor.ip']));
    });
  });

  describe('action', () => {
    it.each(['invoice.update', 'login', 'role.assign', 'report_v2.export-csv'])('accepts %s', (action) => {
      expect(() => validateAuditEvents([anEvent({ action })], NOW)).not.toThrow();
    });

    it.each(['invoice update', 'invoice..update', '.invoice', 'invoice.', 'invoice/update', '', 'a'.repeat(129)])('rejects %p', (action) => {
      const errors = validationErrors([anEvent({ action })]);
      expect(errors.length).toBeGreaterThan(0);
      expect(new Set(errors.map((e) => e.path))).toEqual(new Set(['events[0].action']));
    });
  });

  describe('dataSubjects', () => {
    const subjects = (n: number) => Array.from({ length: n }, (_, i) => `subject-${i}`);

    it('accepts up to 1000 distinct subjects', () => {
      expect(validateAuditEvents([anEvent({ dataSubjects: subjects(1000) })], NOW)[0].dataSubjects).toHaveLength(1000);
    });

    it('rejects more than 1000 subjects', () => {
      expect(pathsOf(validationErrors([anEvent({ dataSubjects: subjects(1001) })]))).toEqual(['events[0].dataSubjects']);
    });

    it('rejects duplicate subjects', () => {
      expect(pathsOf(validationErrors([anEvent({ dataSubjects: ['c-1', 'c-2', 'c-1'] })]))).toEqual(['events[0].dataSubjects']);
    });

    it('reports a bad item by its index', () => {
      expect(pathsOf(validationErrors([anEvent({ dataSubjects: ['c-1', ''] })]))).toEqual(['events[0].dataSubjects[1]']);
    });
  });

  describe('changes', () => {
    it.each([
      ['null before (creation)', { before: null, after: { status: 'draft' } }],
      ['null after (deletion)', { before: { status: 'draft' }, after: null }],
      ['only after', { after: { status: 'draft' } }],
    ])('accepts %s', (_, changes) => {
      expect(validateAuditEvents([anEvent({ changes })], NOW)[0].changes).toEqual(changes);
    });

    it.each([
      ['an array', [1, 2]],
      ['a string', 'draft'],
      ['a number', 1200],
    ])('rejects %s as before or after', (_, value) => {
      const errors = validationErrors([anEvent({ changes: { before: value, after: value } })]);
      expect(pathsOf(errors)).toEqual(['events[0].changes.after', 'events[0].changes.before']);
    });
  });

  describe('size limits', () => {
    it('accepts an event of exactly 64 KiB', () => {
      expect(() => validateAuditEvents([anEventOfBytes(64 * 1024)], NOW)).not.toThrow();
    });

    it('rejects an event over 64 KiB as too large, not as invalid, naming its index', () => {
      const error = thrownBy(() => validateAuditEvents([anEvent(), anEventOfBytes(64 * 1024 + 1)], NOW));
      expect(error).toBeInstanceOf(AuditEventTooLargeError);
      expect(error).not.toBeInstanceOf(AuditEventValidationError);
      expect((error as AuditEventTooLargeError).errors).toEqual([{ path: 'events[1]', message: 'is 65537 bytes; the limit is 65536' }]);
    });

    it('counts UTF-8 bytes, not characters', () => {
      const event = anEventOfBytes(64 * 1024 + 2, 'é');
      expect(JSON.stringify(event).length).toBeLessThan(64 * 1024);
      expect(thrownBy(() => validateAuditEvents([event], NOW))).toBeInstanceOf(AuditEventTooLargeError);
    });

    it('accepts a batch of 1000 events', () => {
      expect(validateAuditEvents(Array.from({ length: 1000 }, () => anEvent()), NOW)).toHaveLength(1000);
    });

    it('rejects a batch of more than 1000 events as too large', () => {
      const error = thrownBy(() => validateAuditEvents(Array.from({ length: 1001 }, () => anEvent()), NOW));
      expect(error).toBeInstanceOf(AuditEventTooLargeError);
      expect((error as Error).message).toMatch(/at most 1000 events; got 1001/);
    });
  });

  describe('the batch', () => {
    it('rejects an empty array', () => {
      expect(validationErrors([])).toEqual([{ path: 'events', message: 'must contain at least one event' }]);
    });

    it.each([
      ['an object', { events: [anEvent()] }],
      ['a single event', anEvent()],
      ['null', null],
      ['undefined', undefined],
      ['a string', 'events'],
    ])('rejects %s instead of an array', (_, events) => {
      expect(validationErrors(events)).toEqual([{ path: 'events', message: 'must be an array of events' }]);
    });

    it('is all or nothing: one bad event among valid ones fails the batch and is named by index', () => {
      const errors = validationErrors([anEvent(), anEvent(), without(anEvent(), 'channel'), anEvent()]);
      expect(errors).toEqual([{ path: 'events[2].channel', message: 'is required' }]);
    });

    it('reports every error, within an event and across events', () => {
      const errors = validationErrors([
        without(anEvent({ channel: 'email', actor: { id: 'alice', type: 'user', nickname: 'Al' } }), 'action'),
        anEvent(),
        anEvent({ occurredAt: '2026-11-26T11:00:00Z' }),
        anEvent({ outcome: 'maybe' }),
      ]);
      expect(pathsOf(errors)).toEqual(['events[0].action', 'events[0].actor.nickname', 'events[0].channel', 'events[2].occurredAt', 'events[3].outcome']);
    });
  });

  describe('pathPrefix', () => {
    it("'' gives paths relative to the event", () => {
      const errors = validationErrors([without(anEvent({ actor: { id: 'alice', type: 'user', nickname: 'Al' } }), 'action')], NOW, '');
      expect(pathsOf(errors)).toEqual(['action', 'actor.nickname']);
    });

    it("'' names occurredAt and a wrongly typed event without a prefix", () => {
      expect(validationErrors([anEvent({ occurredAt: '2026-11-26T11:00:00Z' })], NOW, '')).toEqual([
        { path: 'occurredAt', message: 'is more than 5 minutes in the future' },
      ]);
      expect(validationErrors([anEvent({ actor: 'alice' })], NOW, '')).toEqual([{ path: 'actor', message: 'must be object' }]);
    });

    it("'' names an oversized event '(event)'", () => {
      const error = thrownBy(() => validateAuditEvents([anEventOfBytes(64 * 1024 + 1)], NOW, ''));
      expect((error as AuditEventTooLargeError).errors).toEqual([{ path: '(event)', message: 'is 65537 bytes; the limit is 65536' }]);
    });
  });

  describe('nesting depth (the event itself is level 1)', () => {
    it(`is ${32} levels at most`, () => {
      expect(MAX_JSON_DEPTH).toBe(32);
    });

    it('accepts metadata nested to exactly the limit', () => {
      // event (1) → metadata (2) → … → the innermost object at level 32
      expect(() => validateAuditEvents([anEvent({ metadata: nestedObjects(MAX_JSON_DEPTH - 1) })], NOW)).not.toThrow();
    });

    it('refuses metadata one level deeper, naming the first object past the limit', () => {
      expect(validationErrors([anEvent({ metadata: nestedObjects(MAX_JSON_DEPTH) })])).toEqual([
        { path: 'events[0].metadata' + '.a'.repeat(MAX_JSON_DEPTH - 1), message: 'nests deeper than 32 levels (the event itself is level 1)' },
      ]);
    });

    it.each([
      ['metadata', (deep: Payload) => ({ metadata: deep }), 'events[0].metadata'],
      ['changes.before', (deep: Payload) => ({ changes: { before: deep, after: null } }), 'events[0].changes.before'],
      ['changes.after', (deep: Payload) => ({ changes: { before: null, after: deep } }), 'events[0].changes.after'],
    ])('refuses %s nested 7,000 levels deep with a field path, without a stack overflow', (_, place, path) => {
      const errors = validationErrors([anEvent(place(nestedObjects(7000)))]);
      expect(errors).toHaveLength(1);
      expect(errors[0].path.startsWith(`${path}.a.a`)).toBe(true);
      expect(errors[0].message).toMatch(/nests deeper than 32 levels/);
    });

    it('counts arrays as levels too', () => {
      let deep: unknown = [];
      for (let i = 1; i < 7000; i++) deep = [deep];
      expect(validationErrors([anEvent({ metadata: { list: deep } })])[0].path).toBe('events[0].metadata.list' + '[0]'.repeat(MAX_JSON_DEPTH - 2));
    });
  });

  describe('lone surrogates (text that is not well-formed Unicode cannot be canonicalized or hashed)', () => {
    it.each([
      ['actor.id', { actor: { id: 'alice\ud800', type: 'user' } }, 'events[0].actor.id'],
      ['a metadata value', { metadata: { note: ['ok', 'bad \udfff'] } }, 'events[0].metadata.note[1]'],
      ['a metadata key', { metadata: { nested: { ['key\udc00']: 1 } } }, 'events[0].metadata.nested'],
      ['a changes value', { changes: { before: null, after: { name: '\ud83d' } } }, 'events[0].changes.after.name'],
      ['a data subject', { dataSubjects: ['c-1', 'c-\ud800'] }, 'events[0].dataSubjects[1]'],
    ])('refuses one in %s with 422 and its path', (_, overrides, path) => {
      expect(validationErrors([anEvent(overrides)])).toEqual([{ path, message: expect.stringMatching(/lone surrogate/) }]);
    });

    it('accepts surrogate pairs (emoji)', () => {
      expect(() => validateAuditEvents([anEvent({ actor: { id: 'al\u{1f600}ce', type: 'user' }, metadata: { '\u{1f600}': '\u{1f600}' } })], NOW)).not.toThrow();
    });
  });

  describe('numbers (stored as IEEE-754 doubles, never rounded silently)', () => {
    it.each([
      ['the largest safe integer', 9007199254740991],
      ['the smallest safe integer', -9007199254740991],
      ['a decimal fraction', 1250.75],
      ['a tiny exponent', 1e-300],
      ['zero', 0],
    ])('accepts %s', (_, value) => {
      expect(validateAuditEvents([anEvent({ metadata: { value } })], NOW)[0].metadata).toEqual({ value });
    });

    it.each([
      ['2^53', 9007199254740992],
      ['-(2^53)', -9007199254740992],
      ['123456789012345678901234567890 (parsed as 1.2345678901234568e+29)', JSON.parse('123456789012345678901234567890')],
      ['1.5e300 (a huge exponent is integer-valued too)', 1.5e300],
    ])('refuses %s in metadata with 422 and its path', (_, value) => {
      expect(validationErrors([anEvent({ metadata: { list: [1, value] } })])).toEqual([
        { path: 'events[0].metadata.list[1]', message: 'is beyond ±9007199254740991 (2^53−1) and cannot be stored exactly; send it as a string' },
      ]);
    });

    it.each([
      ['1e400 (JSON.parse gives Infinity)', JSON.parse('1e400')],
      ['-1e400 (JSON.parse gives -Infinity)', JSON.parse('-1e400')],
    ])('refuses %s in metadata with 422 and its path, instead of failing later in canonicalisation', (_, value) => {
      expect(validationErrors([anEvent({ metadata: { big: value } })])).toEqual([
        { path: 'events[0].metadata.big', message: 'is beyond the range of an IEEE-754 double (it overflows to Infinity); send it as a string' },
      ]);
    });

    it('refuses an unsafe integer in changes too', () => {
      expect(pathsOf(validationErrors([anEvent({ changes: { before: { id: 2 ** 60 }, after: null } })]))).toEqual(['events[0].changes.before.id']);
    });
  });

  describe('occurredAt is RFC 3339 only', () => {
    it.each([
      ['year 0000', '0000-06-01T00:00:00Z'],
      ['a space instead of T', '2026-11-26 09:15:00Z'],
      ['a 13-digit fraction', '2026-11-26T09:15:00.1234567890123Z'],
      ['a 10-digit fraction', '2026-11-26T09:15:00.1234567890Z'],
      ['a missing offset', '2026-11-26T09:15:00'],
      ['an offset without a colon', '2026-11-26T09:15:00+0100'],
      ['an hour-only offset', '2026-11-26T09:15:00+01'],
      ['no seconds', '2026-11-26T09:15Z'],
      ['an empty fraction', '2026-11-26T09:15:00.Z'],
      ['hour 24', '2026-11-26T24:00:00Z'],
      ['an offset of 24 hours', '2026-11-26T09:15:00+24:00'],
      ['February 29 in a common year', '2026-02-29T09:15:00Z'],
      ['a five-digit year', '+02026-11-26T09:15:00Z'],
      ['week-date ISO 8601', '2026-W48-4T09:15:00Z'],
      ['a year that becomes 0000 in UTC', '0001-01-01T00:30:00+01:00'],
    ])('refuses %s', (_, occurredAt) => {
      expect(validationErrors([anEvent({ occurredAt })])).toEqual([
        { path: 'events[0].occurredAt', message: expect.stringMatching(/RFC 3339|year/) },
      ]);
    });

    it('refuses a leap second (:60), which a JavaScript date cannot hold, saying so', () => {
      expect(validationErrors([anEvent({ occurredAt: '2016-12-31T23:59:60Z' })])).toEqual([
        { path: 'events[0].occurredAt', message: 'is a leap second (:60), which cannot be stored; send :59.999 or the next second' },
      ]);
    });

    it.each([
      ['a 9-digit fraction (truncated to milliseconds)', '2026-11-26T09:15:00.123456789Z', '2026-11-26T09:15:00.123Z'],
      ['lower-case t and z (RFC 3339 §5.6 note)', '2026-11-26t09:15:00z', '2026-11-26T09:15:00.000Z'],
      ['the unknown-offset form -00:00', '2026-11-26T09:15:00-00:00', '2026-11-26T09:15:00.000Z'],
      ['February 29 in a leap year', '2024-02-29T23:59:59.999+14:00', '2024-02-29T09:59:59.999Z'],
      ['year 0001', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ])('accepts %s', (_, occurredAt, expected) => {
      expect(validateAuditEvents([anEvent({ occurredAt })], NOW)[0].occurredAt).toBe(expected);
    });
  });

  describe('context.sourceService', () => {
    it.each([SERVICE_NAME, 'Compliance-Audit-Trail', ` ${SERVICE_NAME} `])('refuses %p: it marks the service’s own records', (sourceService) => {
      expect(validationErrors([anEvent({ context: { sourceService } })])).toEqual([
        { path: 'events[0].context.sourceService', message: `"${SERVICE_NAME}" is reserved for records the audit service writes about itself` },
      ]);
    });

    it('accepts any other service name', () => {
      expect(validateAuditEvents([anEvent({ context: { sourceService: 'billing' } })], NOW)[0].context).toEqual({ sourceService: 'billing' });
    });
  });

  describe('identifiers (actor.id, resource.type, resource.id and the other id-like fields) feed CSV and SIEM consumers', () => {
    const fields: Array<[string, (value: string) => Payload]> = [
      ['actor.id', (v) => anEvent({ actor: { id: v, type: 'user' } })],
      ['actor.role', (v) => anEvent({ actor: { id: 'alice', type: 'user', role: v } })],
      ['actor.sessionId', (v) => anEvent({ actor: { id: 'alice', type: 'user', sessionId: v } })],
      ['actor.onBehalfOf', (v) => anEvent({ actor: { id: 'alice', type: 'user', onBehalfOf: v } })],
      ['resource.type', (v) => anEvent({ resource: { type: v, id: 'INV-1' } })],
      ['resource.id', (v) => anEvent({ resource: { type: 'invoice', id: v } })],
      ['context.requestId', (v) => anEvent({ context: { requestId: v } })],
      ['context.correlationId', (v) => anEvent({ context: { correlationId: v } })],
      ['context.workflowId', (v) => anEvent({ context: { workflowId: v } })],
      ['context.sourceService', (v) => anEvent({ context: { sourceService: v } })],
      ['dataSubjects[0]', (v) => anEvent({ dataSubjects: [v] })],
    ];

    it.each(fields)('refuses a whitespace-only %s with 422 naming it', (path, build) => {
      expect(validationErrors([build(' \t\u00a0 ')])).toEqual([{ path: `events[0].${path}`, message: 'must not be blank (whitespace only)' }]);
    });

    it.each(fields)('refuses a control character (NUL) in %s with 422 naming it', (path, build) => {
      expect(validationErrors([build('a\u0000b')])).toEqual([{ path: `events[0].${path}`, message: 'must not contain control characters (U+0000–U+001F, U+007F–U+009F)' }]);
    });

    it.each([
      ['a line feed', 'a\nb'],
      ['DEL', 'a\u007fb'],
      ['a C1 control (U+0085)', 'a\u0085b'],
    ])('refuses %s in resource.id', (_, value) => {
      expect(pathsOf(validationErrors([anEvent({ resource: { type: 'invoice', id: value } })]))).toEqual(['events[0].resource.id']);
    });

    it('refuses an action of spaces (its pattern already allows no whitespace)', () => {
      expect(pathsOf(validationErrors([anEvent({ action: '   ' })]))).toEqual(['events[0].action']);
    });

    it('accepts identifiers with inner spaces and non-ASCII letters, unchanged', () => {
      const event = anEvent({ actor: { id: 'Zoë van Dijk', type: 'user' }, resource: { type: 'invoice', id: 'INV 1042 / Ü' } });
      expect(validateAuditEvents([event], NOW)[0]).toMatchObject({ actor: { id: 'Zoë van Dijk' }, resource: { id: 'INV 1042 / Ü' } });
    });

    it('leaves free text (resource.name, actor.userAgent, metadata) alone: a tab in a name is accepted', () => {
      const event = anEvent({ resource: { type: 'invoice', id: 'INV-1', name: 'Invoice\t1042' }, metadata: { note: 'line 1\nline 2' } });
      expect(validateAuditEvents([event], NOW)[0].resource.name).toBe('Invoice\t1042');
    });
  });
});
