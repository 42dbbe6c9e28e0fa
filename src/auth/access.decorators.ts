import { SetMetadata } from '@nestjs/common';
import { Permission } from './permissions';

export const REQUIRED_PERMISSIONS = 'auth:required-permissions';
export const PUBLIC_ROUTE = 'auth:public';

/**
 * The caller needs at least one of these permissions. Every non-public route must say what it
 * needs: a route with neither this nor @Public() is refused (deny by default).
 */
export const RequirePermission = (...anyOf: [Permission, ...Permission[]]) => SetMetadata(REQUIRED_PERMISSIONS, anyOf);

/** No authentication (health, API docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
