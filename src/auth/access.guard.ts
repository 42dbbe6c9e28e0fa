import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Logger, Optional, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { RequestContext } from '../logging/request-context';
import { ACCESS_DENIAL_RECORDER, AccessDenialRecorder, DeniedRequest } from './access-denial-recorder';
import { PUBLIC_ROUTE, REQUIRED_PERMISSIONS } from './access.decorators';
import { Permission } from './permissions';
import { VerifiedTokenCache } from './verified-token-cache';
import { Principal } from './principal';

/** passport's guard, but saying why a token was refused (expired, bad signature, algorithm…). */
class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<T>(error: unknown, user: T | false, info: { message?: string } | undefined): T {
    if (error) throw error;
    if (!user) throw new UnauthorizedException(info?.message === 'No auth token' ? 'A Bearer token is required' : `Invalid token: ${info?.message ?? 'rejected'}`);
    return user;
  }
}

/**
 * Global guard: authenticates every route that is not @Public(), then checks the permission the
 * route declares. A route that declares nothing is refused, so a forgotten decorator fails closed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('Access');
  private readonly jwt = new JwtAuthGuard();
  private readonly verified = new VerifiedTokenCache();

  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(ACCESS_DENIAL_RECORDER) private readonly denials?: AccessDenialRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<DeniedRequest & { user: Principal; route?: { path: string } }>();
    const authorization = request.headers.authorization;
    const cached = typeof authorization === 'string' ? this.verified.get(authorization) : undefined;
    if (cached) {
      request.user = cached;
    } else {
      await this.jwt.canActivate(context);
      if (typeof authorization === 'string') this.verified.set(authorization, request.user, request.user.expiresAt);
    }
    const principal = request.user;
    RequestContext.setTenant(principal.tenantId);

    const required = this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSIONS, targets);
    if (!required) {
      this.logger.error({ msg: 'route declares no permission; refused', handler: context.getHandler().name });
      throw new ForbiddenException('This route declares no permission and is closed');
    }
    if (!required.some((p) => principal.permissions.has(p))) {
      await this.denials?.recordDenial(
        principal,
        { method: request.method, route: request.route?.path ?? '', ip: request.ip, headers: request.headers, query: request.query },
        required,
      );
      throw new ForbiddenException(`Requires one of: ${required.join(', ')}`);
    }
    return true;
  }
}
