/**
 * Custom role names: what a stream id allows (ADR 004: no "-", so `role-<tenant>-<name>` stays
 * unambiguous), at most 64 characters. Matching is exact, as for token roles.
 */
export const ROLE_NAME_PATTERN = /^[A-Za-z0-9_.:]{1,64}$/;
export const ROLE_NAME_RULE = '1-64 of A-Z a-z 0-9 _ . :';
