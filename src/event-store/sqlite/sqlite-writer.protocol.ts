import { InvalidAppendError, InvalidTruncationError, WrongExpectedRevisionError } from '../event-store.errors';
import { ExpectedRevision } from '../event-store.port';
import { AppendOutcome, AppendRecord } from './sqlite-appends';

/** What the store asks its writer thread (ADR 033). */
export type WriterRequest = { id: number } & (
  | { op: 'commit'; appends: AppendRecord[] }
  | { op: 'raiseHorizon'; stream: string; beforeRevision: number }
  | { op: 'deleteBelowHorizon'; stream: string; horizon: number; batch: number }
  | { op: 'close' }
);

export type WriterAnswer = { id: number; value: unknown } | { id: number; error: WireError };

export interface WorkerData {
  file: string;
}

/** An error as it crosses the thread boundary: the store's own errors keep their class and fields. */
export type WireError =
  | { kind: 'wrong-expected-revision'; stream: string; expected: ExpectedRevision; actual: number | null | undefined }
  | { kind: 'invalid-append' | 'invalid-truncation'; message: string }
  | { kind: 'other'; name: string; message: string; code?: string };

export function toWire(error: unknown): WireError {
  if (error instanceof WrongExpectedRevisionError) return { kind: 'wrong-expected-revision', stream: error.stream, expected: error.expected, actual: error.actual };
  if (error instanceof InvalidAppendError) return { kind: 'invalid-append', message: error.message };
  if (error instanceof InvalidTruncationError) return { kind: 'invalid-truncation', message: error.message };
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return { kind: 'other', name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}

export function fromWire(wire: WireError): Error {
  switch (wire.kind) {
    case 'wrong-expected-revision':
      return new WrongExpectedRevisionError(wire.stream, wire.expected, wire.actual);
    case 'invalid-append':
      return new InvalidAppendError(wire.message);
    case 'invalid-truncation':
      return new InvalidTruncationError(wire.message);
    case 'other': {
      // e.g. a SqliteError: its name, message and code (SQLITE_BUSY, SQLITE_FULL …) survive.
      const error = new Error(wire.message) as Error & { code?: string };
      error.name = wire.name;
      if (wire.code) error.code = wire.code;
      return error;
    }
  }
}

export type WireOutcome = { result: unknown } | { error: WireError };

export const outcomesToWire = (outcomes: AppendOutcome[]): WireOutcome[] => outcomes.map((o) => ('result' in o ? o : { error: toWire(o.error) }));
export const outcomesFromWire = (outcomes: WireOutcome[]): AppendOutcome[] =>
  outcomes.map((o) => ('result' in o ? (o as AppendOutcome) : { error: fromWire(o.error) }));
