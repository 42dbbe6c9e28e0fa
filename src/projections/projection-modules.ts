import { AuditLogProjectionModule } from '../audit-log/audit-log-projection.module';

/** Every module that provides @ReadModelProjection providers: the app and the worker load these. */
export const PROJECTION_MODULES = [AuditLogProjectionModule];
