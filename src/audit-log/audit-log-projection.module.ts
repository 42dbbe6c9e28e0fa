import { Module } from '@nestjs/common';
import { AuditLogProjection } from './audit-log.projection';

/** The audit-log projection alone: loaded by the app and by the projection worker. */
@Module({ providers: [AuditLogProjection], exports: [AuditLogProjection] })
export class AuditLogProjectionModule {}
