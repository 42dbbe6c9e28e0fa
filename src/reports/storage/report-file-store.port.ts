import { Readable } from 'node:stream';

/**
 * Where report files live (ARCHITECTURE §10): embedded under DATA_DIR/reports, distributed in MongoDB
 * GridFS. Both adapters pass test/contracts/report-file-store.contract.ts.
 */
export const REPORT_FILE_STORE = Symbol('REPORT_FILE_STORE');

export interface StoredReportFile {
  bytes: number;
  /** Hex SHA-256 of the bytes as stored. */
  sha256: string;
}

export interface ReportFileStore {
  /**
   * Stores the chunks under `key`, consuming them one at a time (constant memory). The file becomes
   * visible only once complete; a failed write leaves no file, and a rewrite replaces the old one whole.
   */
  write(key: string, chunks: AsyncIterable<Buffer>): Promise<StoredReportFile>;
  /** The file's bytes as a stream, or null if there is none. */
  open(key: string): Promise<Readable | null>;
  /** Removes the file if present. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** `<tenantId>/<reportId>.<ext>`: tenant and report ids never contain "/" (ADR 004 ids; report ids are [A-Za-z0-9_-]); ".." is refused. */
export const REPORT_FILE_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}\/[A-Za-z0-9_-]{1,128}\.(csv|pdf)$/;

export function assertReportFileKey(key: string): void {
  if (!REPORT_FILE_KEY_PATTERN.test(key) || key.includes('..')) throw new Error(`Invalid report file key "${key}"`);
}
