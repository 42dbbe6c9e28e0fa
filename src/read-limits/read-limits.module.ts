import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { CooperativeScheduler } from './cooperative-scheduler';
import { BusyServiceInterceptor, ReadLimitGuard, ReadSlotInterceptor } from './read-limited';
import { StreamOpenings } from './stream-openings';
import { TenantReadLimiter } from './tenant-read-limiter';

/** Per-tenant concurrency limits and event-loop time-slicing for long reads (ADR 012). */
@Global()
@Module({
  providers: [
    { provide: TenantReadLimiter, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new TenantReadLimiter(config.reads.concurrencyPerTenant, { stream: config.reads.streamsPerUser }) },
    { provide: CooperativeScheduler, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new CooperativeScheduler(config.reads.sliceMs) },
    ReadLimitGuard,
    ReadSlotInterceptor,
    StreamOpenings,
    { provide: APP_INTERCEPTOR, useClass: BusyServiceInterceptor },
  ],
  exports: [TenantReadLimiter, CooperativeScheduler, ReadLimitGuard, ReadSlotInterceptor, StreamOpenings],
})
export class ReadLimitsModule {}
