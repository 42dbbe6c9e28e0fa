import { foldEvents } from '../event-sourcing/decider';
import { roleDecider, RoleCommand } from './role.decider';
import { BuiltInRoleNameError, InvalidRoleError, RoleAlreadyExistsError, RoleNotFoundError } from './role.errors';
import { RoleEvent, TENANT_ROLE_CHANGED, TENANT_ROLE_DEFINED, TENANT_ROLE_DELETED } from './role.events';

const decider = roleDecider(['super_admin', 'auditor', 'platform_admin']);
const NOW = new Date('2026-11-26T09:15:00.000Z');
const LATER = new Date('2026-11-27T10:00:00.000Z');
const base = { tenantId: 'acme', name: 'finance_reviewer', by: 'alice', now: NOW };

const define = (overrides: Partial<Extract<RoleCommand, { kind: 'define' }>> = {}): RoleCommand => ({ ...base, kind: 'define', permissions: ['reports:read', 'audit:read'], ...overrides });
const change = (overrides: Partial<Extract<RoleCommand, { kind: 'change' }>> = {}): RoleCommand => ({ ...base, kind: 'change', now: LATER, by: 'bob', permissions: ['audit:read'], ...overrides });
const remove = (): RoleCommand => ({ ...base, kind: 'delete', now: LATER, by: 'bob' });

const defined: RoleEvent = {
  type: TENANT_ROLE_DEFINED,
  data: { tenantId: 'acme', name: 'finance_reviewer', by: 'alice', at: NOW.toISOString(), permissions: ['audit:read', 'reports:read'], description: 'Reviews' },
};
const deleted: RoleEvent = { type: TENANT_ROLE_DELETED, data: { tenantId: 'acme', name: 'finance_reviewer', by: 'bob', at: LATER.toISOString() } };

/** Given these past events, when this command is decided: the new events (or the error thrown). */
const given = (...history: RoleEvent[]) => ({ when: (command: RoleCommand) => decider.decide(command, foldEvents(decider, history)) });

function refusal(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the command to be refused');
}

describe('role decider', () => {
  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'TOSTRING', 'valueOf'])('refuses the Object.prototype member name %s for every command (InvalidRoleError on name)', (name) => {
    for (const command of [define({ name }), change({ name }), { ...remove(), name }]) {
      const error = refusal(() => given().when(command));
      expect(error).toBeInstanceOf(InvalidRoleError);
      expect((error as InvalidRoleError).errors).toEqual([{ path: 'name', message: expect.stringMatching(/reserved/) }]);
    }
  });

  describe('define', () => {
    it('defines a new role with its permissions sorted, the caller and the time', () => {
      expect(given().when(define({ description: 'Reviews' }))).toEqual([defined]);
    });

    it('defines a role without description as description null', () => {
      expect(given().when(define())[0].data).toMatchObject({ description: null });
    });

    it('refuses a name that is taken', () => {
      expect(refusal(() => given(defined).when(define()))).toBeInstanceOf(RoleAlreadyExistsError);
    });

    it('defines a role again after it was deleted', () => {
      expect(given(defined, deleted).when(define({ now: LATER }))).toEqual([
        { type: TENANT_ROLE_DEFINED, data: expect.objectContaining({ at: LATER.toISOString(), permissions: ['audit:read', 'reports:read'] }) },
      ]);
    });

    it.each(['super_admin', 'SUPER_ADMIN', 'Auditor', 'platform_admin'])('refuses the built-in role name %s (any letter case)', (name) => {
      const error = refusal(() => given().when(define({ name })));
      expect(error).toBeInstanceOf(BuiltInRoleNameError);
      expect(error.message).toContain(name);
    });

    it('names every unknown or platform-only permission with its path', () => {
      const error = refusal(() => given().when(define({ permissions: ['audit:read', 'audit:delete', 'audit:write:any-tenant', 'ROLES:MANAGE'] })));
      expect(error).toBeInstanceOf(InvalidRoleError);
      expect((error as InvalidRoleError).errors).toEqual([
        { path: 'permissions[1]', message: '"audit:delete" is not a known permission' },
        { path: 'permissions[2]', message: expect.stringMatching(/platform permission/) },
        { path: 'permissions[3]', message: '"ROLES:MANAGE" is not a known permission' },
      ]);
    });

    it('refuses an empty permission list', () => {
      expect((refusal(() => given().when(define({ permissions: [] }))) as InvalidRoleError).errors).toEqual([{ path: 'permissions', message: 'must name at least one permission' }]);
    });

    it('checks permissions before existence: an invalid definition is a 422 even if the name is taken', () => {
      expect(refusal(() => given(defined).when(define({ permissions: ['nope'] })))).toBeInstanceOf(InvalidRoleError);
    });

    it('removes duplicate permissions', () => {
      expect(given().when(define({ permissions: ['audit:read', 'audit:read'] }))[0].data).toMatchObject({ permissions: ['audit:read'] });
    });
  });

  describe('change', () => {
    it("replaces the permissions and keeps the description when none is given", () => {
      expect(given(defined).when(change())).toEqual([
        { type: TENANT_ROLE_CHANGED, data: { tenantId: 'acme', name: 'finance_reviewer', by: 'bob', at: LATER.toISOString(), permissions: ['audit:read'], description: 'Reviews' } },
      ]);
    });

    it('replaces the description when one is given', () => {
      expect(given(defined).when(change({ description: 'Reads' }))[0].data).toMatchObject({ description: 'Reads' });
    });

    it('clears the description when null is given', () => {
      expect(given(defined).when(change({ description: null }))[0].data).toMatchObject({ description: null });
    });

    it('changes nothing when the definition is the same (no event)', () => {
      expect(given(defined).when(change({ permissions: ['reports:read', 'audit:read'] }))).toEqual([]);
    });

    it('refuses an unknown role', () => {
      expect(refusal(() => given().when(change()))).toBeInstanceOf(RoleNotFoundError);
    });

    it('refuses a deleted role', () => {
      expect(refusal(() => given(defined, deleted).when(change()))).toBeInstanceOf(RoleNotFoundError);
    });

    it('refuses unknown permissions', () => {
      expect((refusal(() => given(defined).when(change({ permissions: ['audit:read', 'x'] }))) as InvalidRoleError).errors).toEqual([
        { path: 'permissions[1]', message: '"x" is not a known permission' },
      ]);
    });

    it('refuses to change a built-in role', () => {
      expect(refusal(() => given().when(change({ name: 'auditor' })))).toBeInstanceOf(BuiltInRoleNameError);
    });
  });

  describe('delete', () => {
    it('deletes a defined role', () => {
      expect(given(defined).when(remove())).toEqual([deleted]);
    });

    it('refuses an unknown role', () => {
      expect(refusal(() => given().when(remove()))).toBeInstanceOf(RoleNotFoundError);
    });

    it('refuses a role deleted already', () => {
      expect(refusal(() => given(defined, deleted).when(remove()))).toBeInstanceOf(RoleNotFoundError);
    });
  });

  describe('evolve', () => {
    it('folds defined → changed into the current definition, with who and when', () => {
      const [changed] = given(defined).when(change());
      expect(foldEvents(decider, [defined, changed])).toEqual({
        status: 'defined',
        permissions: ['audit:read'],
        description: 'Reviews',
        definedAt: NOW.toISOString(),
        definedBy: 'alice',
        changedAt: LATER.toISOString(),
        changedBy: 'bob',
      });
    });

    it('folds a deletion into deleted', () => {
      expect(foldEvents(decider, [defined, deleted])).toEqual({ status: 'deleted', deletedAt: LATER.toISOString() });
    });
  });
});
