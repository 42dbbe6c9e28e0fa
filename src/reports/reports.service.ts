import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { StoredAuditEvent } from '../audit-log/audit-event';
import { decideOnStream } from '../event-sourcing/decider-stream';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { auditStreamOf } from '../event-store/stream-names';
import { GENESIS_HASH } from '../integrity/hash-chain';
import { verifyText } from '../integrity/signing/ed25519';
import { SIGNING_KEYS, SigningKeys, verificationKeysOf } from '../integrity/signing/signing-keys';
import { RequestContext } from '../logging/request-context';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { Filter, READ_STORE, ReadStore } from '../read-store/read-store.port';
import { DEFAULT_TENANT_TIMEZONE, TENANT_SETTINGS, TenantSettingsReader } from '../tenant-settings/tenant-settings.port';
import { reportRequestOf } from './api/report-request.input';
import { reportDecider } from './generation/report.decider';
import { decodeReportEvent, reportStreamOf } from './generation/report.events';
import { REPORT_PDF_RENDERER, ReportPdfRenderer } from './rendering/report-document';
import { ReportRequest, ReportRequests, ReportStatus } from './report-requests.port';
import { PdfRenderingUnavailableError, ReportNotFoundError, ReportNotReadyError } from './reports.errors';
import { ReportDocument, reportDocumentId, REPORTS, REPORTS_PROJECTION } from './reports.read-model';
import { REPORT_FILE_STORE, ReportFileStore } from './storage/report-file-store.port';
import { ReportInputError } from './templates/report-template';
import { ReportTemplatesService } from './templates/report-templates.service';

export const REPORT_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const PROJECTION_WAIT_MS = 5000;

/** Woken when a report is queued (the generator implements it; a separate token avoids a cycle). */
export const REPORT_QUEUE = Symbol('REPORT_QUEUE');
export interface ReportQueue {
  kick(): void;
}

/** The report as the API shows it (metadata, ARCHITECTURE §10). */
export interface ReportView {
  id: string;
  status: ReportStatus;
  template: ReportDocument['template'];
  period: ReportDocument['period'];
  format: ReportDocument['format'];
  parameters: Record<string, unknown>;
  requestedBy: string;
  scheduleId: string | null;
  delivery: ReportDocument['delivery'];
  requestedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  failedAt: string | null;
  failureReason: string | null;
  attempts: number;
  summary: ReportDocument['summary'];
  evidence: ReportDocument['evidence'];
  file: { filename: string; contentType: string; bytes: number; rows: number | null } | null;
  links: { self: string; download: string | null; verify: string | null };
}

export function reportViewOf(doc: ReportDocument): ReportView {
  const ready = doc.status === 'ready';
  return {
    id: doc.reportId,
    status: doc.status,
    template: doc.template,
    period: doc.period,
    format: doc.format,
    parameters: doc.parameters,
    requestedBy: doc.requestedBy,
    scheduleId: doc.scheduleId,
    delivery: doc.delivery,
    requestedAt: doc.requestedAt,
    startedAt: doc.startedAt,
    completedAt: doc.completedAt,
    failedAt: doc.failedAt,
    failureReason: doc.failureReason,
    attempts: doc.attempts,
    summary: doc.summary,
    evidence: doc.evidence,
    file: doc.file ? { filename: doc.file.filename, contentType: doc.file.contentType, bytes: doc.file.bytes, rows: doc.format === 'csv' ? doc.populationSize : null } : null,
    links: { self: `/v1/reports/${doc.reportId}`, download: ready ? `/v1/reports/${doc.reportId}/download` : null, verify: ready ? `/v1/reports/${doc.reportId}/verify` : null },
  };
}

export interface ReportVerification {
  fileHashValid: boolean;
  signatureValid: boolean;
  chainHeadPresent: boolean;
  fileSha256: string;
  evidence: ReportDocument['evidence'];
}

/** Requests, lists and serves reports of a tenant; implements REPORT_REQUESTS for schedules. */
@Injectable()
export class ReportsService implements ReportRequests {
  private readonly logger = new Logger('Reports');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly projections: ProjectionRegistry,
    private readonly templates: ReportTemplatesService,
    @Inject(REPORT_FILE_STORE) private readonly files: ReportFileStore,
    @Inject(SIGNING_KEYS) private readonly keys: SigningKeys | null,
    @Inject(REPORT_QUEUE) private readonly queue: ReportQueue,
    @Optional() @Inject(REPORT_PDF_RENDERER) private readonly renderer: ReportPdfRenderer | null,
    @Optional() @Inject(TENANT_SETTINGS) private readonly tenantSettings: TenantSettingsReader | null,
  ) {}

  /** POST /v1/reports: validates everything first (nothing is written for a bad request). */
  async requestFromApi(tenantId: string, requestedBy: string, body: unknown): Promise<{ id: string; status: ReportStatus; created: boolean }> {
    const input = reportRequestOf(body);
    if (input.format === 'pdf' && !this.renderer) throw new PdfRenderingUnavailableError('PDF reports cannot be rendered by this instance (no PDF renderer is configured); ask for format "csv"');
    const timezone = input.timezone ?? (await this.tenantTimezone(tenantId));
    return this.request(tenantId, { id: randomBytes(16).toString('hex'), ...input, timezone, requestedBy });
  }

  /** REPORT_REQUESTS: idempotent on `id`; an existing report is returned unchanged. */
  async request(tenantId: string, request: ReportRequest, now = new Date()): Promise<{ id: string; status: ReportStatus; created: boolean }> {
    if (!REPORT_ID_PATTERN.test(request.id)) throw new ReportInputError('Invalid report request', [{ path: 'id', message: 'report ids are 1-128 of A-Z a-z 0-9 _ -' }]);
    const existing = await this.document(tenantId, request.id);
    if (existing) return { id: request.id, status: existing.status, created: false };
    const checked = reportRequestOf({ templateId: request.templateId, ...(request.templateVersion !== undefined ? { templateVersion: request.templateVersion } : {}), from: request.from, to: request.to, timezone: request.timezone, format: request.format, parameters: request.parameters ?? {}, ...(request.delivery ? { delivery: request.delivery } : {}) });
    const template = await this.templates.resolve(tenantId, checked.templateId, checked.templateVersion);
    const period = { from: checked.from, to: checked.to, timezone: request.timezone };
    template.calculator(period, checked.parameters); // refuses bad parameters before anything is written
    // The head of the log itself (not of the read model, which may not have applied the latest events yet).
    const [headEvent] = await this.events.readStream(auditStreamOf(tenantId), { direction: 'backwards', maxCount: 1 });
    const head = headEvent ? { headSequence: headEvent.revision, headHash: (headEvent.data as unknown as StoredAuditEvent).hash } : null;
    const result = await decideOnStream(
      this.events,
      reportStreamOf(tenantId, request.id),
      reportDecider(),
      decodeReportEvent,
      {
        kind: 'request',
        request: {
          tenantId,
          reportId: request.id,
          template: { id: template.id, version: template.version, name: template.name, framework: template.framework },
          period,
          format: checked.format,
          parameters: checked.parameters,
          requestedBy: request.requestedBy,
          ...(request.scheduleId ? { scheduleId: request.scheduleId } : {}),
          ...(checked.delivery ? { delivery: checked.delivery } : {}),
          requestedAt: now.toISOString(),
          headSequence: head?.headSequence ?? -1,
          headHash: head?.headHash ?? GENESIS_HASH,
        },
      },
      { tenantId, actorId: request.requestedBy, requestId: RequestContext.current()?.requestId ?? null },
      // Two instances asked for the same scheduled report at once: the loser finds it requested.
      { redecideOnConflict: 1 },
    );
    if (result.position !== null && !(await this.projections.runner(REPORTS_PROJECTION).waitFor(result.position, PROJECTION_WAIT_MS))) {
      this.logger.warn({ msg: 'report requested but not yet projected', tenantId, reportId: request.id });
    }
    this.queue.kick();
    const status = result.after.status === 'none' ? 'queued' : result.after.status;
    return { id: request.id, status, created: result.events.length > 0 };
  }

  async list(tenantId: string, params: { limit: number; cursor?: string; status?: ReportStatus; templateId?: string }): Promise<{ items: ReportView[]; nextCursor: string | null }> {
    const filter: Filter = { tenantId };
    if (params.cursor !== undefined) {
      const before = Buffer.from(params.cursor, 'base64url').toString('utf8');
      if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z\|[A-Za-z0-9_-]{1,128}$/.test(before)) throw new ReportInputError('Invalid cursor', [{ path: 'cursor', message: 'use the nextCursor of a previous page' }]);
      filter.sortKey = { $lt: before };
    }
    if (params.status) filter.status = params.status;
    if (params.templateId) filter['template.id'] = params.templateId;
    const docs = (await this.store.find(REPORTS, filter, { sort: [['sortKey', -1]], limit: params.limit + 1, hint: 'by_tenant_time' })) as unknown as ReportDocument[];
    const page = docs.filter((d) => d.tenantId === tenantId).slice(0, params.limit);
    return { items: page.map(reportViewOf), nextCursor: docs.length > params.limit ? Buffer.from(page[page.length - 1].sortKey, 'utf8').toString('base64url') : null };
  }

  async get(tenantId: string, reportId: string): Promise<ReportView> {
    return reportViewOf(await this.existing(tenantId, reportId));
  }

  /** A ready report's file, for download. */
  async file(tenantId: string, reportId: string): Promise<{ doc: ReportDocument; content: Readable }> {
    const doc = await this.ready(tenantId, reportId);
    const content = await this.files.open(doc.file!.key);
    if (!content) throw new ReportNotFoundError(reportId);
    return { doc, content };
  }

  /**
   * Recomputes the stored file's SHA-256, checks the signature over it with the key named in the
   * evidence (current or earlier), and that the audit stream still holds the head event with its hash.
   */
  async verify(tenantId: string, reportId: string): Promise<ReportVerification> {
    const { doc, content } = await this.file(tenantId, reportId);
    const hash = createHash('sha256');
    for await (const chunk of content) hash.update(chunk as Buffer);
    const fileSha256 = hash.digest('hex');
    const evidence = doc.evidence!;
    const key = this.keys ? verificationKeysOf(this.keys).get(evidence.signature.keyId) : undefined;
    const signatureValid = key !== undefined && verifyText(key.key, evidence.fileSha256, evidence.signature.value);
    let chainHeadPresent = evidence.headSequence < 0;
    if (!chainHeadPresent) {
      const [headEvent] = await this.events.readStream(auditStreamOf(tenantId), { fromRevision: evidence.headSequence, maxCount: 1 });
      chainHeadPresent = headEvent?.revision === evidence.headSequence && (headEvent.data as unknown as StoredAuditEvent).hash === evidence.headHash;
    }
    return { fileHashValid: fileSha256 === evidence.fileSha256, signatureValid: signatureValid && fileSha256 === evidence.fileSha256, chainHeadPresent, fileSha256, evidence };
  }

  private async ready(tenantId: string, reportId: string): Promise<ReportDocument> {
    const doc = await this.existing(tenantId, reportId);
    if (doc.status !== 'ready' || !doc.file || !doc.evidence) throw new ReportNotReadyError(reportId, doc.status);
    return doc;
  }

  private async existing(tenantId: string, reportId: string): Promise<ReportDocument> {
    const doc = REPORT_ID_PATTERN.test(reportId) ? await this.document(tenantId, reportId) : null;
    if (!doc) throw new ReportNotFoundError(reportId);
    return doc;
  }

  private async document(tenantId: string, reportId: string): Promise<ReportDocument | null> {
    const doc = (await this.store.findById(REPORTS, reportDocumentId(tenantId, reportId))) as unknown as ReportDocument | null;
    return doc && doc.tenantId === tenantId ? doc : null;
  }

  private async tenantTimezone(tenantId: string): Promise<string> {
    return this.tenantSettings ? this.tenantSettings.timezoneOf(tenantId) : DEFAULT_TENANT_TIMEZONE;
  }
}
