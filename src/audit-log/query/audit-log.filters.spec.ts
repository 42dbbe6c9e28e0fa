import { Permission } from '../../auth/permissions';
import { Principal } from '../../auth/principal';
import { auditLogFilter, AuditLogFilterParams, ownRecordsOnly } from './audit-log.filters';

function aPrincipal(permissions: Permission[], overrides: Partial<Principal> = {}): Principal {
  return { subject: 'alice', tenantId: 'acme', roles: [], permissions: new Set(permissions), actorType: 'user', expiresAt: 4_102_444_800, ...overrides };
}

const reader = () => aPrincipal(['audit:read'], { subject: 'carol', roles: ['auditor'] });
const standardUser = () => aPrincipal(['audit:read:own'], { subject: 'alice', roles: ['standard_user'] });

const FROM = '2026-11-01T00:00:00.000Z';
const TO = '2026-12-01T00:00:00.000Z';
const sortKey = (occurredAt: string, sequence: number) => `${occurredAt}|${String(sequence).padStart(12, '0')}`;

describe(ownRecordsOnly.name, () => {
  it.each<[string, Permission[], boolean]>([
    ['audit:read:own only', ['audit:read:own'], true],
    ['audit:read', ['audit:read'], false],
    ['both audit:read and audit:read:own', ['audit:read', 'audit:read:own'], false],
  ])('with %s is %s', (_, permissions, expected) => {
    expect(ownRecordsOnly(aPrincipal(permissions))).toBe(expected);
  });
});

describe(auditLogFilter.name, () => {
  describe('tenant scope', () => {
    it("is the principal's tenant and nothing else when no filter is given", () => {
      expect(auditLogFilter(reader(), {})).toStrictEqual({ tenantId: 'acme' });
    });

    it('cannot be changed or widened by anything in the params', () => {
      const hostile = { tenantId: 'globex', $or: [{ tenantId: 'globex' }], 'actor.id': { $ne: null }, sortKey: { $gte: '' } } as AuditLogFilterParams;
      expect(auditLogFilter(reader(), hostile)).toStrictEqual({ tenantId: 'acme' });
      expect(auditLogFilter(standardUser(), hostile)).toStrictEqual({ tenantId: 'acme', 'actor.id': 'alice' });
    });

    it('follows the principal', () => {
      expect(auditLogFilter(aPrincipal(['audit:read'], { tenantId: 'globex' }), { actorId: 'bob' }).tenantId).toBe('globex');
    });
  });

  describe('a standard user (audit:read:own)', () => {
    it('sees only the events they performed', () => {
      expect(auditLogFilter(standardUser(), {})).toStrictEqual({ tenantId: 'acme', 'actor.id': 'alice' });
    });

    it('may name themselves as actor', () => {
      expect(auditLogFilter(standardUser(), { actorId: 'alice' })).toStrictEqual({ tenantId: 'acme', 'actor.id': 'alice' });
    });

    it('asking for another actor gets a filter that matches nothing', () => {
      expect(auditLogFilter(standardUser(), { actorId: 'bob', action: 'invoice.update' })).toStrictEqual({
        tenantId: 'acme',
        'actor.id': { $in: [] },
        action: 'invoice.update',
      });
    });
  });

  describe('a reader (audit:read)', () => {
    it('sees every actor when none is named', () => {
      expect(auditLogFilter(reader(), {})).not.toHaveProperty(['actor.id']);
    });

    it('may filter by any actor', () => {
      expect(auditLogFilter(reader(), { actorId: 'bob' })).toStrictEqual({ tenantId: 'acme', 'actor.id': 'bob' });
    });

    it('keeps that right when also holding audit:read:own', () => {
      expect(auditLogFilter(aPrincipal(['audit:read', 'audit:read:own']), { actorId: 'bob' })['actor.id']).toBe('bob');
    });
  });

  describe('equality filters', () => {
    it.each<[keyof AuditLogFilterParams, string, string]>([
      ['actorType', 'actor.type', 'ai_agent'],
      ['resourceType', 'resource.type', 'invoice'],
      ['resourceId', 'resource.id', 'INV-1042'],
      ['action', 'action', 'invoice.update'],
      ['outcome', 'outcome', 'denied'],
      ['channel', 'channel', 'workflow'],
    ])('%s filters on %s', (param, field, value) => {
      expect(auditLogFilter(reader(), { [param]: value })).toStrictEqual({ tenantId: 'acme', [field]: value });
    });

    it('combine', () => {
      const params: AuditLogFilterParams = { actorId: 'bob', actorType: 'user', resourceType: 'invoice', resourceId: 'INV-1', action: 'invoice.update', outcome: 'failure', channel: 'ui' };
      expect(auditLogFilter(reader(), params)).toStrictEqual({
        tenantId: 'acme',
        'actor.id': 'bob',
        'actor.type': 'user',
        'resource.type': 'invoice',
        'resource.id': 'INV-1',
        action: 'invoice.update',
        outcome: 'failure',
        channel: 'ui',
      });
    });
  });

  describe('time range and cursor (on sortKey = occurredAt|sequence)', () => {
    it('from is inclusive', () => {
      expect(auditLogFilter(reader(), { from: FROM }).sortKey).toStrictEqual({ $gte: FROM });
    });

    it('to is exclusive', () => {
      expect(auditLogFilter(reader(), { to: TO }).sortKey).toStrictEqual({ $lt: TO });
    });

    it('a cursor continues below the last key seen', () => {
      const before = sortKey('2026-11-20T08:00:00.000Z', 7);
      expect(auditLogFilter(reader(), {}, before).sortKey).toStrictEqual({ $lt: before });
    });

    it('from, to and cursor together', () => {
      const before = sortKey('2026-11-20T08:00:00.000Z', 7);
      expect(auditLogFilter(reader(), { from: FROM, to: TO }, before).sortKey).toStrictEqual({ $gte: FROM, $lt: before });
    });

    it('the smaller of to and the cursor wins: to below the cursor', () => {
      const before = sortKey('2026-12-05T00:00:00.000Z', 3);
      expect(auditLogFilter(reader(), { to: TO }, before).sortKey).toStrictEqual({ $lt: TO });
    });

    it('the smaller of to and the cursor wins: a cursor at the very instant of to still leaves to', () => {
      // Every key at occurredAt == to sorts after `to` itself, so `to` stays the (exclusive) bound.
      expect(auditLogFilter(reader(), { to: TO }, sortKey(TO, 0)).sortKey).toStrictEqual({ $lt: TO });
    });

    it('the smaller of to and the cursor wins: a cursor just before to', () => {
      const before = sortKey('2026-11-30T23:59:59.999Z', 999);
      expect(auditLogFilter(reader(), { to: TO }, before).sortKey).toStrictEqual({ $lt: before });
    });

    it('applies to a standard user as to a reader', () => {
      expect(auditLogFilter(standardUser(), { from: FROM, to: TO })).toStrictEqual({ tenantId: 'acme', 'actor.id': 'alice', sortKey: { $gte: FROM, $lt: TO } });
    });
  });
  describe('excludeSelfAudit', () => {
    it("true: adds context.sourceService $ne the service's name (records without a sourceService still match)", () => {
      expect(auditLogFilter(reader(), { excludeSelfAudit: true })).toStrictEqual({ tenantId: 'acme', 'context.sourceService': { $ne: 'compliance-audit-trail' } });
    });

    it('false or absent: no condition (nothing hidden by default)', () => {
      expect(auditLogFilter(reader(), { excludeSelfAudit: false })).toStrictEqual({ tenantId: 'acme' });
      expect(auditLogFilter(reader(), {})).toStrictEqual({ tenantId: 'acme' });
    });
  });
});
