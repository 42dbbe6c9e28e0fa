import { Global, Module } from '@nestjs/common';
import { TenantSettingsController } from './tenant-settings.controller';
import { TENANT_SETTINGS } from './tenant-settings.port';
import { TenantSettingsService } from './tenant-settings.service';

/** /v1/tenant-settings, and {@link TENANT_SETTINGS} for every module (timezone of a tenant). */
@Global()
@Module({
  controllers: [TenantSettingsController],
  providers: [TenantSettingsService, { provide: TENANT_SETTINGS, useExisting: TenantSettingsService }],
  exports: [TENANT_SETTINGS],
})
export class TenantSettingsModule {}
