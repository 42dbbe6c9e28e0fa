import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { assertReportFileKey, ReportFileStore, StoredReportFile } from './report-file-store.port';

/**
 * Embedded report files under `<dir>/<tenantId>/<reportId>.<ext>`: written to a temporary file,
 * fsynced, then renamed into place, so a crash never leaves a half file under a report's key.
 */
export class FsReportFileStore implements ReportFileStore {
  constructor(private readonly dir: string) {}

  async write(key: string, chunks: AsyncIterable<Buffer>): Promise<StoredReportFile> {
    const file = this.fileOf(key);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.partial`;
    const handle = await fs.promises.open(temp, 'wx', 0o600);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.length;
        await handle.write(chunk);
      }
      await handle.sync();
    } catch (error) {
      await handle.close();
      await fs.promises.rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await fs.promises.rename(temp, file);
    return { bytes, sha256: hash.digest('hex') };
  }

  async open(key: string): Promise<Readable | null> {
    const file = this.fileOf(key);
    try {
      const handle = await fs.promises.open(file, 'r');
      return handle.createReadStream();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.fileOf(key), { force: true });
  }

  async close(): Promise<void> {}

  private fileOf(key: string): string {
    assertReportFileKey(key);
    return path.join(this.dir, ...key.split('/'));
  }
}
