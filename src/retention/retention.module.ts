import { Module } from '@nestjs/common';
import { AuditLogWriterModule } from '../audit-log/audit-log-writer.module';
import { RETENTION_CLOCK, RetentionClock, RetentionExpiry } from './retention-expiry';
import { RetentionPolicyController } from './retention-policy.controller';
import { RetentionPolicyService } from './retention-policy.service';

/** Retention policy per tenant and the daily expiry, the only deletion path of the log (ADR 025). */
@Module({
  imports: [AuditLogWriterModule],
  providers: [{ provide: RETENTION_CLOCK, useValue: (() => new Date()) satisfies RetentionClock }, RetentionPolicyService, RetentionExpiry],
  controllers: [RetentionPolicyController],
  exports: [RetentionExpiry, RETENTION_CLOCK],
})
export class RetentionModule {}
