import * as jwt from 'jsonwebtoken';

/** Test-only HS256 secret (not used anywhere outside tests). */
export const TEST_JWT_SECRET = 'test-only-secret-0123456789abcdef0123456789';

export interface TokenOptions {
  tenant?: string;
  sub?: string;
  roles?: string[];
  sid?: string;
  actorType?: string;
  expiresInSeconds?: number;
  secret?: string;
  extra?: Record<string, unknown>;
}

export function tokenFor(options: TokenOptions = {}): string {
  const payload: Record<string, unknown> = {
    ...(options.tenant !== undefined ? { tenant: options.tenant } : { tenant: 'acme' }),
    roles: options.roles ?? ['super_admin'],
    ...(options.sid ? { sid: options.sid } : {}),
    ...(options.actorType ? { actor_type: options.actorType } : {}),
    ...options.extra,
  };
  return jwt.sign(payload, options.secret ?? TEST_JWT_SECRET, {
    algorithm: 'HS256',
    subject: options.sub ?? 'alice',
    expiresIn: options.expiresInSeconds ?? 3600,
  });
}

export const bearer = (options: TokenOptions = {}) => `Bearer ${tokenFor(options)}`;
