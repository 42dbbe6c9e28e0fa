import { Module } from '@nestjs/common';
import { AuditStreamWriter } from './record-audit-events/audit-stream-writer';

/** The audit stream writer alone, so that self-auditing can depend on it without the HTTP surface. */
@Module({ providers: [AuditStreamWriter], exports: [AuditStreamWriter] })
export class AuditLogWriterModule {}
