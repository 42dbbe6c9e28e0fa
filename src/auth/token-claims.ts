import { STREAM_ID_PATTERN } from '../event-store/stream-names';
import { ACTOR_TYPES, TokenActorType } from './principal';

/** Limits of claim values: those of the audit-event fields they end up in (actor.id, sessionId). */
export const MAX_SUBJECT_LENGTH = 256;
export const MAX_SESSION_ID_LENGTH = 256;
export const MAX_ROLE_LENGTH = 128;
export const MAX_ROLES = 100;

/** Claims of a verified token whose values are safe to scope, authorise and record with. */
export interface ValidClaims {
  sub: string;
  tenant: string;
  roles: string[];
  sid?: string;
  actorType: TokenActorType;
  /** Seconds since the epoch, a safe integer. */
  exp: number;
}

/** Why a token's header or claims are unusable; the message names the claim (answered as 401). */
export class UnusableTokenError extends Error {}

/**
 * RFC 7515 §4.1.11: a recipient must refuse a JWS whose `crit` names an extension it does not
 * understand. This service understands none, so any `crit` (well-formed or not) is refused.
 */
export function checkTokenHeader(header: Record<string, unknown>): void {
  if (Object.prototype.hasOwnProperty.call(header, 'crit')) {
    throw new UnusableTokenError('The token header has a "crit" parameter naming extensions this service does not understand');
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F-\u009F]/;

/** A non-empty, well-formed (no lone surrogate) string without control characters, at most `max` UTF-16 units. */
export function isUsableText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && !LONE_SURROGATE.test(value) && !CONTROL_CHARACTER.test(value);
}

const isSecondsSinceEpoch = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Checks the claims of a token whose signature, `exp`, `nbf`, `iss` and `aud` the JWT library has
 * already verified. Every value here ends up in an authorisation decision or in an audit record, so
 * an unusable one refuses the token instead of being dropped, defaulted or truncated.
 *
 * Lifetime: `exp` must not be more than `maxLifetimeSeconds` after `iat` (when present) nor after
 * now; so neither an `iat` in the future nor a missing `iat` stretches it.
 */
export function validClaimsOf(payload: Record<string, unknown>, maxLifetimeSeconds: number, nowSeconds: number): ValidClaims {
  const { exp, iat, sub, tenant, roles, sid, actor_type: actorType } = payload;
  if (exp === undefined) throw new UnusableTokenError('The token has no expiry (exp)');
  if (!isSecondsSinceEpoch(exp)) throw new UnusableTokenError('The token expiry (exp) must be a whole number of seconds since the epoch');
  if (iat !== undefined && !isSecondsSinceEpoch(iat)) throw new UnusableTokenError('The token issue time (iat) must be a whole number of seconds since the epoch');
  const lifetime = Math.max(exp - nowSeconds, iat === undefined ? 0 : exp - (iat as number));
  if (lifetime > maxLifetimeSeconds) {
    throw new UnusableTokenError(`The token lifetime exceeds ${maxLifetimeSeconds} seconds (exp - iat and exp - now must not exceed it)`);
  }
  if (sub === undefined) throw new UnusableTokenError('The token has no subject (sub)');
  if (!isUsableText(sub, MAX_SUBJECT_LENGTH)) throw new UnusableTokenError(`The token subject (sub) must be 1-${MAX_SUBJECT_LENGTH} characters, well-formed, without control characters`);
  if (typeof tenant !== 'string' || !STREAM_ID_PATTERN.test(tenant)) throw new UnusableTokenError('The token names no valid tenant (1-128 of A-Z a-z 0-9 _ . : -)');
  if (!Array.isArray(roles)) throw new UnusableTokenError('The token roles claim must be a list of role names (possibly empty)');
  if (roles.length > MAX_ROLES || !roles.every((role) => isUsableText(role, MAX_ROLE_LENGTH))) {
    throw new UnusableTokenError(`The token roles must be at most ${MAX_ROLES} names of 1-${MAX_ROLE_LENGTH} characters, well-formed, without control characters`);
  }
  if (sid !== undefined && !isUsableText(sid, MAX_SESSION_ID_LENGTH)) {
    throw new UnusableTokenError(`The token session id (sid) must be 1-${MAX_SESSION_ID_LENGTH} characters, well-formed, without control characters`);
  }
  if (actorType !== undefined && !(ACTOR_TYPES as readonly unknown[]).includes(actorType)) {
    throw new UnusableTokenError(`The token actor_type must be one of ${ACTOR_TYPES.join(', ')}`);
  }
  return {
    sub,
    tenant,
    roles: roles as string[],
    ...(sid !== undefined ? { sid: sid as string } : {}),
    actorType: (actorType as TokenActorType | undefined) ?? 'user',
    exp,
  };
}
