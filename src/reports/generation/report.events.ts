import { createHash } from 'node:crypto';
import { DomainEvent } from '../../event-sourcing/decider';
import { RecordedEvent } from '../../event-store/event-store.port';
import { aggregateStreamOf, aggregateStreamPrefix } from '../../event-store/stream-names';
import { ReportDelivery, ReportFormat } from '../report-requests.port';
import { SummaryFigure } from '../templates/report-template';

/**
 * The report aggregate, one stream per report: `report-<tenantId>-<first 40 hex of SHA-256(report id)>`
 * (report ids from schedules may contain "-", which stream ids may not; the id itself is in the data).
 */
export function reportStreamOf(tenantId: string, reportId: string): string {
  return aggregateStreamOf('report', tenantId, createHash('sha256').update(reportId).digest('hex').slice(0, 40));
}

export const REPORT_STREAM_PREFIX = aggregateStreamPrefix('report');

export const REPORT_REQUESTED = 'ReportRequested.v1';
export const REPORT_STARTED = 'ReportStarted.v1';
export const REPORT_COMPLETED = 'ReportCompleted.v1';
export const REPORT_FAILED = 'ReportFailed.v1';
export const REPORT_DELIVERED = 'ReportDelivered.v1';

export interface ReportTemplateRef {
  id: string;
  version: number;
  name: string;
  framework: string;
}

export interface ReportEvidence {
  tenantId: string;
  headSequence: number;
  headHash: string;
  firstSequence: number | null;
  lastSequence: number | null;
  eventsConsidered: number;
  fileSha256: string;
  signature: { alg: 'Ed25519'; keyId: string; value: string };
  generatedAt: string;
  generatorVersion: string;
}

export interface ReportFileInfo {
  key: string;
  filename: string;
  contentType: string;
  bytes: number;
}

export interface ReportRequestedData {
  tenantId: string;
  reportId: string;
  template: ReportTemplateRef;
  period: { from: string; to: string; timezone: string };
  format: ReportFormat;
  parameters: Record<string, unknown>;
  requestedBy: string;
  scheduleId?: string;
  delivery?: ReportDelivery;
  requestedAt: string;
  /** The report reads the tenant's events up to this sequence (-1: none yet), fixed at request time. */
  headSequence: number;
  headHash: string;
}

interface AttemptFacts {
  tenantId: string;
  reportId: string;
  attempt: number;
  at: string;
}

export type ReportRequested = DomainEvent<typeof REPORT_REQUESTED, ReportRequestedData>;
export type ReportStarted = DomainEvent<typeof REPORT_STARTED, AttemptFacts>;
export type ReportCompleted = DomainEvent<typeof REPORT_COMPLETED, AttemptFacts & { summary: SummaryFigure[]; evidence: ReportEvidence; file: ReportFileInfo; populationSize: number }>;
export type ReportFailed = DomainEvent<typeof REPORT_FAILED, AttemptFacts & { reason: string }>;
export type ReportDelivered = DomainEvent<typeof REPORT_DELIVERED, { tenantId: string; reportId: string; at: string; channels: Array<{ channel: 'notification' | 'webhook' | 'email'; ok: boolean; detail?: string }> }>;
export type ReportEvent = ReportRequested | ReportStarted | ReportCompleted | ReportFailed | ReportDelivered;

const TYPES: ReadonlySet<string> = new Set([REPORT_REQUESTED, REPORT_STARTED, REPORT_COMPLETED, REPORT_FAILED, REPORT_DELIVERED]);

export function isReportEvent(recorded: Pick<RecordedEvent, 'type'>): boolean {
  return TYPES.has(recorded.type);
}

export function decodeReportEvent(recorded: RecordedEvent): ReportEvent {
  if (!isReportEvent(recorded)) throw new Error(`Unknown event type ${recorded.type} in report stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as ReportEvent;
}
