import { ExpectedRevision } from './event-store.port';

/** The stream was not at the revision the caller expected (another writer got there first). */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or null if the stream does not exist (when known). */
    readonly actual: number | null | undefined,
  ) {
    super(`Stream ${stream}: expected revision ${String(expected)}, actual ${actual === null ? 'no stream' : String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The store refused the input (e.g. an empty append or a malformed stream name). */
export class InvalidAppendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

/** The append is larger than the store accepts in one append; nothing was written. */
export class AppendTooLargeError extends Error {
  constructor(
    readonly stream: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`An append to ${stream} of ${bytes} bytes exceeds the event store's limit of ${limit} bytes`);
    this.name = 'AppendTooLargeError';
  }
}

/** A retention truncation the store refuses (beyond the stream's head, or a malformed revision); nothing changed. */
export class InvalidTruncationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTruncationError';
  }
}
