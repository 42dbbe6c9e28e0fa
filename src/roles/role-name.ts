/**
 * Custom role names: what a stream id allows (ADR 004: no "-", so `role-<tenant>-<name>` stays
 * unambiguous), at most 64 characters. Matching is exact, as for token roles.
 */
export const ROLE_NAME_PATTERN = /^[A-Za-z0-9_.:]{1,64}$/;
export const ROLE_NAME_RULE = '1-64 of A-Z a-z 0-9 _ . :';

/**
 * Names of Object.prototype members (`__proto__`, `constructor`, `toString`, …), in any letter case:
 * refused as role names so that no code path, here or in a client, can ever confuse a role with an
 * inherited property of a plain object keyed by role name.
 */
const RESERVED_ROLE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype).map((n) => n.toLowerCase()));

export function isReservedRoleName(name: string): boolean {
  return RESERVED_ROLE_NAMES.has(name.toLowerCase());
}
