import { FsReportFileStore } from '../../src/reports/storage/fs-report-file-store';
import { GridFsReportFileStore } from '../../src/reports/storage/gridfs-report-file-store';
import { MONGODB_URI, runToken, SKIP_MONGO_REASON } from '../support/distributed-stores';
import { makeTempDir } from '../support/temp-dir';
import { reportFileStoreContract } from './report-file-store.contract';

describe('ReportFileStore contract: FsReportFileStore (DATA_DIR/reports)', () => {
  reportFileStoreContract(() => {
    const temp = makeTempDir();
    return { open: async () => new FsReportFileStore(temp.dir), cleanup: async () => temp.cleanup() };
  });
});

if (MONGODB_URI) {
  describe('ReportFileStore contract: GridFsReportFileStore', () => {
    reportFileStoreContract(() => {
      const dbName = `reports_${runToken()}`;
      return {
        open: () => GridFsReportFileStore.connect({ uri: MONGODB_URI!, dbName }),
        cleanup: async () => {
          const store = await GridFsReportFileStore.connect({ uri: MONGODB_URI!, dbName });
          await store.dropDatabase();
          await store.close();
        },
      };
    });
  });
} else {
  describe.skip(`ReportFileStore contract: GridFsReportFileStore — ${SKIP_MONGO_REASON}`, () => {
    it('runs where a MongoDB server is available', () => undefined);
  });
}
