import { foldEvents } from '../event-sourcing/decider';
import { GrantCommand, grantDecider, isActiveGrant, isGrantFor, IssuedGrant } from './grant.decider';
import { GrantAlreadyExistsError, GrantNotFoundError, InvalidGrantError } from './grant.errors';
import { CROSS_TENANT_GRANT_ISSUED, CROSS_TENANT_GRANT_ISSUED_V1, CROSS_TENANT_GRANT_REVOKED, GrantEvent } from './grant.events';

const NOW = new Date('2026-11-26T09:15:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
const base = { tenantId: 'acme', grantId: '0123456789abcdef0123456789abcdef', by: 'alice', now: NOW };

const issue = (overrides: Partial<Extract<GrantCommand, { kind: 'issue' }>> = {}): GrantCommand => ({
  ...base,
  kind: 'issue',
  grantee: 'ops-jane',
  granteeTenant: 'platform',
  permissions: ['audit:read'],
  expiresAt: inDays(7),
  ...overrides,
});
const revoke = (now = NOW): GrantCommand => ({ ...base, kind: 'revoke', by: 'bob', now });

const issued: GrantEvent = {
  type: CROSS_TENANT_GRANT_ISSUED,
  data: { tenantId: 'acme', grantId: base.grantId, by: 'alice', at: NOW.toISOString(), grantee: 'ops-jane', granteeTenant: 'platform', permissions: ['audit:read'], expiresAt: inDays(7) },
};
const revoked: GrantEvent = { type: CROSS_TENANT_GRANT_REVOKED, data: { tenantId: 'acme', grantId: base.grantId, by: 'bob', at: NOW.toISOString() } };

const given = (...history: GrantEvent[]) => ({ when: (command: GrantCommand) => grantDecider.decide(command, foldEvents(grantDecider, history)) });

function errorsOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidGrantError);
    return (error as InvalidGrantError).errors;
  }
  throw new Error('expected the command to be refused');
}

describe('cross-tenant grant decider', () => {
  describe('issue', () => {
    it('issues a grant with the expiry normalised to UTC', () => {
      expect(given().when(issue({ expiresAt: '2026-12-03T10:15:00+01:00' }))).toEqual([
        { type: CROSS_TENANT_GRANT_ISSUED, data: { ...issued.data, expiresAt: '2026-12-03T09:15:00.000Z' } },
      ]);
    });

    it('accepts every grantable permission, sorted', () => {
      expect(given().when(issue({ permissions: ['reports:read', 'audit:verify', 'audit:export', 'audit:read'] }))[0].data).toMatchObject({
        permissions: ['audit:export', 'audit:read', 'audit:verify', 'reports:read'],
      });
    });

    it.each(['audit:write', 'roles:manage', 'grants:manage', 'audit:read:own', 'rules:write'])('refuses %s, which is not grantable across tenants', (permission) => {
      expect(errorsOf(() => given().when(issue({ permissions: ['audit:read', permission] })))).toEqual([
        { path: 'permissions[1]', message: expect.stringMatching(/cannot be granted across tenants/) },
      ]);
    });

    it('refuses unknown permission names', () => {
      expect(errorsOf(() => given().when(issue({ permissions: ['audit:everything'] })))).toEqual([{ path: 'permissions[0]', message: '"audit:everything" is not a known permission' }]);
    });

    it.each([
      ['now', NOW.toISOString(), 'must be in the future'],
      ['in the past', inDays(-1), 'must be in the future'],
      ['more than 90 days ahead', new Date(NOW.getTime() + 90 * DAY + 1).toISOString(), 'must be at most 90 days ahead'],
    ])('refuses an expiry %s', (_, expiresAt, message) => {
      expect(errorsOf(() => given().when(issue({ expiresAt })))).toEqual([{ path: 'expiresAt', message }]);
    });

    it('accepts an expiry exactly 90 days ahead', () => {
      expect(given().when(issue({ expiresAt: inDays(90) }))).toHaveLength(1);
    });

    it('reports every problem at once', () => {
      expect(errorsOf(() => given().when(issue({ permissions: ['nope'], expiresAt: inDays(-1), grantee: ' ' }))).map((e) => e.path)).toEqual([
        'permissions[0]',
        'expiresAt',
        'grantee',
      ]);
    });

    it.each(['', 'platform~x', 'a/b'])("refuses a grantee home tenant %p that is not a tenant id", (granteeTenant) => {
      expect(errorsOf(() => given().when(issue({ granteeTenant })))).toEqual([{ path: 'granteeTenant', message: expect.any(String) }]);
    });

    it('refuses an id that exists already', () => {
      expect(() => given(issued).when(issue())).toThrow(GrantAlreadyExistsError);
    });
  });

  describe('revoke', () => {
    it('revokes an issued grant', () => {
      expect(given(issued).when(revoke())).toEqual([revoked]);
    });

    it('revokes an expired grant too (the record says it was withdrawn)', () => {
      expect(given(issued).when(revoke(new Date(NOW.getTime() + 30 * DAY)))).toHaveLength(1);
    });

    it('changes nothing for a grant revoked already', () => {
      expect(given(issued, revoked).when(revoke())).toEqual([]);
    });

    it('refuses an unknown grant', () => {
      expect(() => given().when(revoke())).toThrow(GrantNotFoundError);
    });
  });

  describe(isActiveGrant.name, () => {
    const state = (...events: GrantEvent[]) => foldEvents(grantDecider, events);

    it('is true for an issued grant before its expiry', () => {
      expect(isActiveGrant(state(issued), NOW)).toBe(true);
      expect(isActiveGrant(state(issued), new Date(Date.parse(inDays(7)) - 1))).toBe(true);
    });

    it('is false from the expiry instant on', () => {
      expect(isActiveGrant(state(issued), new Date(inDays(7)))).toBe(false);
    });

    it('is false once revoked', () => {
      expect(isActiveGrant(state(issued, revoked), NOW)).toBe(false);
    });

    it('is false for no grant', () => {
      expect(isActiveGrant(state(), NOW)).toBe(false);
    });
  });

  describe(isGrantFor.name, () => {
    const issuedState = (...events: GrantEvent[]) => foldEvents(grantDecider, events) as IssuedGrant;

    it("is true only for the grantee's sub in the grantee's home tenant", () => {
      expect(isGrantFor(issuedState(issued), { subject: 'ops-jane', homeTenant: 'platform' })).toBe(true);
      expect(isGrantFor(issuedState(issued), { subject: 'ops-jane', homeTenant: 'elsewhere' })).toBe(false);
      expect(isGrantFor(issuedState(issued), { subject: 'ops-jack', homeTenant: 'platform' })).toBe(false);
    });

    it('is false for a grant issued as CrossTenantGrantIssued.v1 (no home tenant recorded), which stays readable', () => {
      const { granteeTenant: _, ...v1Data } = issued.data as { granteeTenant: string };
      const legacy = issuedState({ type: CROSS_TENANT_GRANT_ISSUED_V1, data: v1Data } as GrantEvent);
      expect(legacy).toMatchObject({ status: 'issued', grantee: 'ops-jane', granteeTenant: null });
      expect(isGrantFor(legacy, { subject: 'ops-jane', homeTenant: 'platform' })).toBe(false);
    });
  });
});
