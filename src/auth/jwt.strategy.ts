import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { resolveJwtVerification, verificationKeyObject } from './jwt-keys';
import { Principal } from './principal';
import { loadRoleMatrix, permissionsOf, RoleMatrix } from './role-matrix';
import { checkTokenHeader, UnusableTokenError, validClaimsOf } from './token-claims';

/** What jsonwebtoken hands over with `complete: true`, after verifying the signature. */
interface VerifiedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * Verifies Bearer tokens (signature, algorithm allow-list — never `none` —, expiry, issuer,
 * audience), refuses critical header extensions, validates every claim (token-claims.ts) and turns
 * them into a {@link Principal}.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly roles: RoleMatrix;
  private readonly maxLifetimeSeconds: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const verification = resolveJwtVerification(config);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt's types predate KeyObject; it hands the key to jsonwebtoken's verify, which takes one.
      secretOrKey: verificationKeyObject(verification) as unknown as Buffer,
      algorithms: verification.algorithms,
      issuer: verification.issuer,
      audience: verification.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { complete: true },
    });
    this.roles = loadRoleMatrix();
    this.maxLifetimeSeconds = config.jwt.maxLifetimeSeconds;
  }

  validate({ header, payload }: VerifiedToken): Principal {
    try {
      checkTokenHeader(header);
      const claims = validClaimsOf(payload, this.maxLifetimeSeconds, Math.floor(Date.now() / 1000));
      const customRoles = claims.roles.filter((role) => !this.roles.has(role));
      return {
        subject: claims.sub,
        tenantId: claims.tenant,
        roles: claims.roles,
        permissions: permissionsOf(this.roles, claims.roles),
        sessionId: claims.sid,
        actorType: claims.actorType,
        expiresAt: claims.exp,
        ...(customRoles.length ? { customRoles } : {}),
      };
    } catch (error) {
      if (error instanceof UnusableTokenError) throw new UnauthorizedException(error.message);
      throw error;
    }
  }
}
