import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditLogWriterModule } from '../audit-log/audit-log-writer.module';
import { ACCESS_DENIAL_RECORDER } from '../auth/access-denial-recorder';
import { SelfAuditInterceptor } from './self-audit.interceptor';
import { SelfAuditRecorder } from './self-audit.recorder';

@Global()
@Module({
  imports: [AuditLogWriterModule],
  providers: [
    SelfAuditRecorder,
    { provide: ACCESS_DENIAL_RECORDER, useExisting: SelfAuditRecorder },
    { provide: APP_INTERCEPTOR, useClass: SelfAuditInterceptor },
  ],
  exports: [SelfAuditRecorder, ACCESS_DENIAL_RECORDER],
})
export class SelfAuditModule {}
