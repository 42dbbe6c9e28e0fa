import mongoose, { Connection } from 'mongoose';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { assertReportFileKey, ReportFileStore, StoredReportFile } from './report-file-store.port';

export const REPORT_FILES_BUCKET = 'report_files';

type Bucket = InstanceType<typeof mongoose.mongo.GridFSBucket>;

/**
 * Distributed report files in MongoDB GridFS (bucket `report_files`), one GridFS file per key
 * (`filename`). A rewrite uploads the new file first and then removes the older ones, so a reader
 * always finds a complete file: the newest complete upload of the key.
 */
export class GridFsReportFileStore implements ReportFileStore {
  private constructor(
    private readonly connection: Connection,
    private readonly bucket: Bucket,
  ) {}

  static async connect(options: { uri: string; dbName?: string }): Promise<GridFsReportFileStore> {
    const connection = await mongoose.createConnection(options.uri, { serverSelectionTimeoutMS: 10_000, dbName: options.dbName, writeConcern: { w: 'majority', journal: true } }).asPromise();
    return new GridFsReportFileStore(connection, new mongoose.mongo.GridFSBucket(connection.db!, { bucketName: REPORT_FILES_BUCKET }));
  }

  async write(key: string, chunks: AsyncIterable<Buffer>): Promise<StoredReportFile> {
    assertReportFileKey(key);
    const hash = createHash('sha256');
    let bytes = 0;
    const upload = this.bucket.openUploadStream(key);
    // Errors reach the caller through `finished`; a buffered chunk flushed after an abort errors again.
    upload.on('error', () => undefined);
    const finished = new Promise<void>((resolve, reject) => {
      upload.once('finish', resolve);
      upload.once('error', reject);
    });
    finished.catch(() => undefined); // awaited below on success; after an abort nobody waits for it
    try {
      for await (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.length;
        if (!upload.write(chunk)) await new Promise<void>((resolve, reject) => {
          upload.once('drain', resolve);
          upload.once('error', reject);
        });
      }
      upload.end();
      await finished;
    } catch (error) {
      await upload.abort().catch(() => undefined);
      throw error;
    }
    for (const older of await this.bucket.find({ filename: key, _id: { $ne: upload.id } }).toArray()) {
      await this.bucket.delete(older._id).catch(() => undefined);
    }
    return { bytes, sha256: hash.digest('hex') };
  }

  async open(key: string): Promise<Readable | null> {
    assertReportFileKey(key);
    const [newest] = await this.bucket.find({ filename: key }).sort({ uploadDate: -1, _id: -1 }).limit(1).toArray();
    return newest ? this.bucket.openDownloadStream(newest._id) : null;
  }

  async delete(key: string): Promise<void> {
    assertReportFileKey(key);
    for (const file of await this.bucket.find({ filename: key }).toArray()) await this.bucket.delete(file._id);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Tests: removes the test database. */
  async dropDatabase(): Promise<void> {
    await this.connection.dropDatabase();
  }
}
