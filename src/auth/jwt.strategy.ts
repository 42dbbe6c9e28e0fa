import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { resolveJwtVerification } from './jwt-keys';
import { STREAM_ID_PATTERN } from '../event-store/stream-names';
import { ACTOR_TYPES, Principal, TokenActorType, TokenClaims } from './principal';
import { loadRoleMatrix, permissionsOf, RoleMatrix } from './role-matrix';

const TENANT_ID = STREAM_ID_PATTERN;

/**
 * Verifies Bearer tokens (signature, algorithm allow-list — never `none` —, expiry, issuer,
 * audience) and turns their claims into a {@link Principal}. `exp` and `tenant` are mandatory.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly roles: RoleMatrix;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const verification = resolveJwtVerification(config);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: verification.key,
      algorithms: verification.algorithms,
      issuer: verification.issuer,
      audience: verification.audience,
      ignoreExpiration: false,
    });
    this.roles = loadRoleMatrix();
  }

  validate(claims: TokenClaims): Principal {
    if (typeof claims.exp !== 'number') throw new UnauthorizedException('The token has no expiry (exp)');
    if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new UnauthorizedException('The token has no subject (sub)');
    if (typeof claims.tenant !== 'string' || !TENANT_ID.test(claims.tenant)) throw new UnauthorizedException('The token names no valid tenant');
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    const customRoles = roles.filter((role) => !this.roles.has(role));
    const actorType = ACTOR_TYPES.includes(claims.actor_type as TokenActorType) ? (claims.actor_type as TokenActorType) : 'user';
    return {
      subject: claims.sub,
      tenantId: claims.tenant,
      roles,
      permissions: permissionsOf(this.roles, roles),
      sessionId: typeof claims.sid === 'string' ? claims.sid : undefined,
      actorType,
      expiresAt: claims.exp,
      ...(customRoles.length ? { customRoles } : {}),
    };
  }
}
