import { Global, Module } from '@nestjs/common';
import * as path from 'node:path';
import { AppConfig, ReadStoreKind } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { IntegrityModule } from '../integrity/integrity.module';
import { ReportTemplatesController } from './api/report-templates.controller';
import { ReportsController } from './api/reports.controller';
import { DEFAULT_REPORT_GENERATOR_OPTIONS, REPORT_GENERATOR_OPTIONS, ReportGenerator } from './generation/report-generator';
import { ReportDeliverer } from './generation/report-deliverer';
import { REPORT_REQUESTS } from './report-requests.port';
import { REPORT_QUEUE, ReportsService } from './reports.service';
import { FsReportFileStore } from './storage/fs-report-file-store';
import { GridFsReportFileStore } from './storage/gridfs-report-file-store';
import { REPORT_FILE_STORE, ReportFileStore } from './storage/report-file-store.port';
import { ReportTemplatesService } from './templates/report-templates.service';

/** Report files next to the read models: DATA_DIR/reports (embedded) or GridFS in the MongoDB database (distributed). */
export async function createReportFileStore(config: AppConfig): Promise<ReportFileStore> {
  return config.readStore.kind === ReadStoreKind.MongoDb ? GridFsReportFileStore.connect({ uri: config.readStore.uri }) : new FsReportFileStore(path.join(config.dataDir, 'reports'));
}

/**
 * Compliance reports (ARCHITECTURE §10): templates, background generation, files, evidence, delivery.
 * Global so that the schedules module can inject REPORT_REQUESTS.
 */
@Global()
@Module({
  imports: [IntegrityModule],
  controllers: [ReportTemplatesController, ReportsController],
  providers: [
    ReportTemplatesService,
    ReportsService,
    ReportDeliverer,
    ReportGenerator,
    { provide: REPORT_QUEUE, useExisting: ReportGenerator },
    { provide: REPORT_REQUESTS, useExisting: ReportsService },
    { provide: REPORT_FILE_STORE, inject: [APP_CONFIG], useFactory: createReportFileStore },
    { provide: REPORT_GENERATOR_OPTIONS, useValue: DEFAULT_REPORT_GENERATOR_OPTIONS },
  ],
  exports: [REPORT_REQUESTS, ReportsService, ReportTemplatesService],
})
export class ReportsModule {}
