import { BadRequestException, CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Logger, Optional, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { STREAM_ID_PATTERN } from '../event-store/stream-names';
import { RequestContext } from '../logging/request-context';
import { ACCESS_DENIAL_RECORDER, AccessDenialRecorder, DeniedRequest } from './access-denial-recorder';
import { PUBLIC_ROUTE, REQUIRED_PERMISSIONS } from './access.decorators';
import { CROSS_TENANT_ACCESS, CrossTenantAccess } from './cross-tenant-access';
import { crossTenantPrincipal, requestedTenantOf, TENANT_HEADER, withCustomRolePermissions } from './effective-principal';
import { Permission } from './permissions';
import { Principal } from './principal';
import { PLATFORM_ADMIN_ROLE } from './role-matrix';
import { TENANT_ROLE_RESOLVER, TenantRoleResolver } from './tenant-role-resolver';
import { VerifiedTokenCache } from './verified-token-cache';

/** passport's guard, but saying why a token was refused (expired, bad signature, algorithm…). */
class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<T>(error: unknown, user: T | false, info: { message?: string } | undefined): T {
    if (error) throw error;
    if (!user) throw new UnauthorizedException(info?.message === 'No auth token' ? 'A Bearer token is required' : `Invalid token: ${info?.message ?? 'rejected'}`);
    return user;
  }
}

type GuardedRequest = DeniedRequest & { user: Principal; route?: { path: string } };

/** What the guard needs of the response: to cut a long-running one when its grant ends. */
interface GuardedResponse {
  once(event: 'close', listener: () => void): unknown;
  destroy(): void;
}

/** How often a long-running cross-tenant response (export, SSE) re-checks its grant. */
export const GRANT_RECHECK_MS = 1000;

/**
 * Global guard: authenticates every route that is not @Public(), resolves what the caller may do in
 * which tenant, then checks the permission the route declares. A route that declares nothing is
 * refused, so a forgotten decorator fails closed.
 *
 * What the caller may do: the built-in matrix (config/roles.json) for the token's roles, plus the
 * custom roles the token's tenant defined (/v1/roles). A platform administrator who names another
 * tenant in X-Tenant-Id acts in that tenant with exactly the permissions of that tenant's active
 * grants to them (/v1/cross-tenant-grants), or is refused.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('Access');
  private readonly jwt = new JwtAuthGuard();
  private readonly verified = new VerifiedTokenCache();

  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(ACCESS_DENIAL_RECORDER) private readonly denials?: AccessDenialRecorder,
    @Optional() @Inject(TENANT_ROLE_RESOLVER) private readonly tenantRoles?: TenantRoleResolver,
    @Optional() @Inject(CROSS_TENANT_ACCESS) private readonly crossTenant?: CrossTenantAccess,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const authorization = request.headers.authorization;
    const cached = typeof authorization === 'string' ? this.verified.get(authorization) : undefined;
    if (cached) {
      request.user = cached;
    } else {
      await this.jwt.canActivate(context);
      if (typeof authorization === 'string') this.verified.set(authorization, request.user, request.user.expiresAt);
    }
    RequestContext.setTenant(request.user.tenantId);

    const required = this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSIONS, targets);
    if (!required) {
      this.logger.error({ msg: 'route declares no permission; refused', handler: context.getHandler().name });
      throw new ForbiddenException('This route declares no permission and is closed');
    }

    const principal = await this.effectivePrincipal(request, required);
    request.user = principal;
    RequestContext.setTenant(principal.tenantId);
    if (!required.some((p) => principal.permissions.has(p))) {
      await this.deny(principal, request, required);
      throw new ForbiddenException(`Requires one of: ${required.join(', ')}`);
    }
    if (principal.crossTenant) this.endWithGrant(principal, required, context.switchToHttp().getResponse<GuardedResponse>());
    return true;
  }

  /**
   * A response served under a cross-tenant grant (a long export, an SSE tail) must not outlive the
   * grant: while it runs, the grant is re-checked every second and the connection is cut once no
   * active grant gives the route's permission any more (revoked or expired).
   */
  private endWithGrant(principal: Principal, required: Permission[], response: GuardedResponse): void {
    const timer = setInterval(() => {
      void this.crossTenant
        ?.activeGrants(principal.tenantId, { subject: principal.subject, homeTenant: principal.crossTenant!.fromTenant }, new Date())
        .then((grants) => required.some((p) => grants.permissions.has(p)))
        .catch(() => false)
        .then((stillGranted) => {
          if (stillGranted) return;
          clearInterval(timer);
          this.logger.warn({ msg: 'cross-tenant grant ended during the response; connection closed', tenantId: principal.tenantId, grantee: principal.subject });
          response.destroy();
        });
    }, GRANT_RECHECK_MS);
    timer.unref();
    response.once('close', () => clearInterval(timer));
  }

  /** The token's principal in the tenant this request runs in, with every permission it holds there. */
  private async effectivePrincipal(request: GuardedRequest, required: Permission[]): Promise<Principal> {
    const principal = request.user;
    const requested = requestedTenantOf(request.headers);
    if (requested !== undefined && requested !== principal.tenantId) return this.crossTenantPrincipal(principal, requested, request, required);
    if (!principal.customRoles?.length || !this.tenantRoles) return principal;
    return withCustomRolePermissions(principal, await this.tenantRoles.permissionsOf(principal.tenantId, principal.customRoles));
  }

  private async crossTenantPrincipal(principal: Principal, requested: string | string[], request: GuardedRequest, required: Permission[]): Promise<Principal> {
    if (!principal.roles.includes(PLATFORM_ADMIN_ROLE)) {
      await this.deny(principal, request, required, `${TENANT_HEADER} names another tenant; only a ${PLATFORM_ADMIN_ROLE} may`);
      throw new ForbiddenException(`X-Tenant-Id may name another tenant only for a ${PLATFORM_ADMIN_ROLE}, with that tenant's grant`);
    }
    if (typeof requested !== 'string' || !STREAM_ID_PATTERN.test(requested)) {
      throw new BadRequestException('X-Tenant-Id must name exactly one valid tenant id (1-128 of A-Z a-z 0-9 _ . : -)');
    }
    const grantee = { subject: principal.subject, homeTenant: principal.tenantId };
    const grants = this.crossTenant ? await this.crossTenant.activeGrants(requested, grantee, new Date()) : { grantIds: [], permissions: new Set<Permission>() };
    const acting = crossTenantPrincipal(principal, requested, grants);
    if (grants.grantIds.length === 0) {
      // Recorded in the target tenant's log: it is that tenant's data that was asked for.
      await this.deny(acting, request, required, 'no active cross-tenant grant');
      throw new ForbiddenException(`No active grant of tenant ${requested} to ${principal.subject}`);
    }
    return acting;
  }

  private deny(principal: Principal, request: GuardedRequest, required: Permission[], reason?: string): Promise<void> {
    return (
      this.denials?.recordDenial(
        principal,
        { method: request.method, route: request.route?.path ?? '', ip: request.ip, headers: request.headers, query: request.query },
        required,
        reason,
      ) ?? Promise.resolve()
    );
  }
}
