import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { StoredAuditEvent } from '../../audit-log/audit-event';
import { AuditEventBodies } from '../../audit-log/audit-event-bodies';
import { AUDIT_EVENTS, AUDIT_TENANTS, AuditEventDocument, AuditTenantDocument, sortKeyOf } from '../../audit-log/audit-log.read-model';
import { CSV_HEADER, csvRow } from '../../audit-log/query/audit-event-csv';
import { decideOnStream } from '../../event-sourcing/decider-stream';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { signText } from '../../integrity/signing/ed25519';
import { SIGNING_KEYS, SigningKeys } from '../../integrity/signing/signing-keys';
import { CooperativeScheduler } from '../../read-limits/cooperative-scheduler';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { ProjectionRegistry } from '../../projections/projection-registry.service';
import { AUDIT_LOG_PROJECTION } from '../../audit-log/query/audit-log-reader';
import { REPORT_PDF_RENDERER, ReportDocument as PdfReportDocument, ReportPdfRenderer } from '../rendering/report-document';
import { ReportQueue } from '../reports.service';
import { ReportDocument, REPORTS } from '../reports.read-model';
import { REPORT_FILE_STORE, ReportFileStore, StoredReportFile } from '../storage/report-file-store.port';
import { ReportTemplatesService } from '../templates/report-templates.service';
import { ComputedReport, ReportComputation } from './report-computation';
import { ReportDeliverer } from './report-deliverer';
import { MAX_REPORT_ATTEMPTS, reportDecider, ReportState, StaleReportAttemptError } from './report.decider';
import { decodeReportEvent, ReportEvidence, ReportRequestedData, reportStreamOf } from './report.events';

/** Names the code that produced a report (evidence.generatorVersion); bump when figures or CSV bytes change. */
export const REPORT_GENERATOR_VERSION = 'compliance-audit-trail/reports@1';
/** Events read per page: like the export's windows, one page is parsed and computed in a few ms (ADR 012). */
const PAGE = 100;
/** How long a generation waits for the audit read model to reach the report's head. */
const READ_MODEL_WAIT_MS = 60_000;
/** CSV bytes handed to the file store at a time. */
const CSV_CHUNK_CHARS = 256 * 1024;

export const REPORT_GENERATOR_OPTIONS = Symbol('REPORT_GENERATOR_OPTIONS');
export interface ReportGeneratorOptions {
  /** How often queued reports (e.g. requested on another instance) are looked for; 0 disables the poll. */
  pollMs: number;
  clock: () => Date;
}
export const DEFAULT_REPORT_GENERATOR_OPTIONS: ReportGeneratorOptions = { pollMs: 5000, clock: () => new Date() };

class GenerationStopped extends Error {}

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', pdf: 'application/pdf' } as const;

/**
 * Generates queued reports in the background, one at a time per instance (bounded memory and CPU).
 * A report is claimed by appending its next attempt with optimistic concurrency, so two instances
 * never run the same attempt. At start, reports left `running` by a stopped or crashed instance are
 * claimed again (a new attempt; after MAX_REPORT_ATTEMPTS they fail), and ready reports whose delivery
 * was not recorded are delivered (the delivery ports are idempotent on the report id).
 */
@Injectable()
export class ReportGenerator implements ReportQueue, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReportGenerator');
  private draining: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly bodies: AuditEventBodies;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly templates: ReportTemplatesService,
    @Inject(REPORT_FILE_STORE) private readonly files: ReportFileStore,
    @Inject(SIGNING_KEYS) private readonly keys: SigningKeys | null,
    private readonly scheduler: CooperativeScheduler,
    private readonly deliverer: ReportDeliverer,
    private readonly projections: ProjectionRegistry,
    @Inject(REPORT_GENERATOR_OPTIONS) private readonly options: ReportGeneratorOptions,
    @Optional() @Inject(REPORT_PDF_RENDERER) private readonly renderer: ReportPdfRenderer | null,
  ) {
    this.bodies = new AuditEventBodies(events);
  }

  onApplicationBootstrap(): void {
    this.kick();
    if (this.options.pollMs > 0) this.timer = setInterval(() => this.kick(), this.options.pollMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining;
    await this.files.close();
  }

  /** Looks for work now (after a request, on the poll, at start). */
  kick(): void {
    if (this.stopping) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.again && !this.stopping) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when no work is in progress (tests). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.stopping) return;
        const pending = (await this.store.find(REPORTS, { status: { $in: ['queued', 'running'] } }, { sort: [['sortKey', 1]], limit: 20, hint: 'by_status' })) as unknown as ReportDocument[];
        const undelivered = (await this.store.find(REPORTS, { status: 'ready', delivered: false }, { sort: [['sortKey', 1]], limit: 20, hint: 'by_status' })) as unknown as ReportDocument[];
        for (const doc of undelivered) await this.deliver(doc.tenantId, doc.reportId);
        if (pending.length === 0) return;
        let progressed = false;
        for (const doc of pending) {
          if (this.stopping) return;
          progressed = (await this.run(doc.tenantId, doc.reportId)) || progressed;
        }
        if (!progressed) return;
      }
    } catch (error) {
      this.logger.error({ msg: 'report generation loop failed; retried on the next poll', error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Claims, generates and completes one report. False when there was nothing to do for it. */
  private async run(tenantId: string, reportId: string): Promise<boolean> {
    const stream = reportStreamOf(tenantId, reportId);
    const decider = reportDecider();
    const meta = { tenantId, actorId: 'system:report-generator', requestId: null };
    let claim;
    try {
      claim = await decideOnStream(this.events, stream, decider, decodeReportEvent, { kind: 'start', at: this.options.clock().toISOString() }, meta);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return false; // another instance claimed it
      throw error;
    }
    const state = claim.after as Extract<ReportState, { request: unknown }>;
    if (claim.events.length === 0 || state.status !== 'running') return claim.events.length > 0;
    const attempt = state.attempt;
    if (attempt > 1) this.logger.warn({ msg: 'report generation interrupted earlier: running it again', tenantId, reportId, attempt, maxAttempts: MAX_REPORT_ATTEMPTS });
    const startedAt = Date.now();
    try {
      const result = await this.produce(state.request, this.options.clock().toISOString());
      await decideOnStream(this.events, stream, decider, decodeReportEvent, { kind: 'complete', attempt, at: this.options.clock().toISOString(), result }, meta);
      this.logger.log({ msg: 'report ready', tenantId, reportId, template: state.request.template.id, format: state.request.format, rows: result.populationSize, ms: Date.now() - startedAt });
    } catch (error) {
      if (error instanceof GenerationStopped || this.stopping) return true; // still running: claimed again at the next start
      if (error instanceof StaleReportAttemptError || error instanceof WrongExpectedRevisionError) return true;
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error({ msg: 'report generation failed', tenantId, reportId, error: reason });
      await decideOnStream(this.events, stream, decider, decodeReportEvent, { kind: 'fail', attempt, at: this.options.clock().toISOString(), reason }, meta).catch(() => undefined);
      return true;
    }
    await this.deliver(tenantId, reportId);
    return true;
  }

  private async deliver(tenantId: string, reportId: string): Promise<void> {
    const state = await this.readyState(tenantId, reportId);
    if (!state) return;
    const channels = await this.deliverer.deliver(state.request, state.completed);
    await decideOnStream(this.events, reportStreamOf(tenantId, reportId), reportDecider(), decodeReportEvent, { kind: 'delivered', at: this.options.clock().toISOString(), channels }, { tenantId, actorId: 'system:report-generator', requestId: null }).catch(
      (error) => this.logger.warn({ msg: 'report delivery not recorded; repeated later (deliveries are idempotent)', tenantId, reportId, error: String(error) }),
    );
  }

  /** The stream's own view of a ready, undelivered report (the read model may lag behind). */
  private async readyState(tenantId: string, reportId: string) {
    const recorded = await this.events.readStream(reportStreamOf(tenantId, reportId));
    const events = recorded.map(decodeReportEvent);
    const completed = events.find((e) => e.type === 'ReportCompleted.v1');
    const requested = events.find((e) => e.type === 'ReportRequested.v1');
    if (!completed || !requested || events.some((e) => e.type === 'ReportDelivered.v1')) return null;
    return { request: requested.data as ReportRequestedData, completed: completed.data as Extract<typeof completed, { type: 'ReportCompleted.v1' }>['data'] };
  }

  /** Reads the period's events up to the fixed head, computes the figures, writes and signs the file. */
  async produce(request: ReportRequestedData, generatedAt: string) {
    if (!this.keys) throw new Error('No signing key is configured (SIGNING_KEY_FILE): reports cannot be signed');
    const head = await this.readModelAt(request.tenantId, request.headSequence);
    const unreadable = (head?.unreadable ?? []).filter((u) => u.sequence <= request.headSequence);
    if (unreadable.length > 0) throw new Error(`the audit log of the tenant is incomplete (events ${unreadable.map((u) => u.sequence).join(', ')} could not be projected); the report would miss them`);
    const template = await this.templates.resolve(request.tenantId, request.template.id, request.template.version);
    const computation = new ReportComputation(template, request.period, request.parameters);
    const key = `${request.tenantId}/${request.reportId}.${request.format}`;
    let stored: StoredReportFile;
    let computed: ComputedReport;
    if (request.format === 'csv') {
      stored = await this.files.write(key, this.csvChunks(request, computation));
      computed = computation.finish();
    } else {
      if (!this.renderer) throw new Error('PDF rendering is not available on this instance (no PDF renderer is configured)');
      for await (const page of this.periodEvents(request)) for (const event of page) computation.add(event);
      computed = computation.finish();
      const pdf = await this.renderer.render(this.pdfDocument(request, template.description, generatedAt, computed));
      stored = await this.files.write(key, (async function* () {
        yield pdf;
      })());
    }
    const evidence: ReportEvidence = {
      tenantId: request.tenantId,
      headSequence: request.headSequence,
      headHash: request.headHash,
      firstSequence: computed.firstSequence,
      lastSequence: computed.lastSequence,
      eventsConsidered: computed.eventsConsidered,
      fileSha256: stored.sha256,
      signature: { alg: 'Ed25519', keyId: this.keys.keyId, value: signText(this.keys.privateKey, stored.sha256) },
      generatedAt,
      generatorVersion: REPORT_GENERATOR_VERSION,
    };
    const filename = `${request.template.id}_${request.period.from.slice(0, 10)}_${request.period.to.slice(0, 10)}_${request.reportId}.${request.format}`;
    return { summary: computed.summary, evidence, file: { key, filename, contentType: CONTENT_TYPES[request.format], bytes: stored.bytes }, populationSize: computed.populationSize };
  }

  /** Waits until the audit read model has applied the report's head (it may lag behind the log), at most READ_MODEL_WAIT_MS. */
  private async readModelAt(tenantId: string, headSequence: number): Promise<AuditTenantDocument | null> {
    const deadline = Date.now() + READ_MODEL_WAIT_MS;
    for (;;) {
      const head = (await this.store.findById(AUDIT_TENANTS, tenantId)) as AuditTenantDocument | null;
      if ((head?.headSequence ?? -1) >= headSequence) return head;
      if (this.stopping) throw new GenerationStopped('the service is stopping');
      if (Date.now() >= deadline) throw new Error(`the audit read model has not applied sequence ${headSequence} within ${READ_MODEL_WAIT_MS / 1000} s (at ${head?.headSequence ?? -1}); request the report again later`);
      await this.projections.runner(AUDIT_LOG_PROJECTION).nextCommit(250);
    }
  }

  /** The CSV as chunks: one header row, then one row per population event in occurredAt, sequence order. */
  private async *csvChunks(request: ReportRequestedData, computation: ReportComputation): AsyncGenerator<Buffer> {
    let text = CSV_HEADER;
    for await (const page of this.periodEvents(request)) {
      for (const event of page) if (computation.add(event)) text += csvRow(event);
      if (text.length >= CSV_CHUNK_CHARS) {
        yield Buffer.from(text, 'utf8');
        text = '';
      }
    }
    yield Buffer.from(text, 'utf8');
  }

  /**
   * The tenant's events with from ≤ occurredAt < to and sequence ≤ the report's head, oldest first, a
   * page at a time (walks the occurredAt index; the head bound is applied here, as the export does,
   * so that the scan stays on the index order). Gives the event loop back between pages (ADR 012).
   */
  private async *periodEvents(request: ReportRequestedData): AsyncGenerator<StoredAuditEvent[]> {
    const { tenantId, headSequence } = request;
    const end = sortKeyOf(request.period.to, 0);
    let after = sortKeyOf(request.period.from, 0);
    let inclusive = true;
    const slice = this.scheduler.slice();
    for (;;) {
      await slice.pause();
      if (this.stopping) throw new GenerationStopped('the service is stopping');
      const docs = (await this.store.find(AUDIT_EVENTS, { tenantId, sortKey: inclusive ? { $gte: after, $lt: end } : { $gt: after, $lt: end } }, { sort: [['sortKey', 1]], limit: PAGE, hint: 'by_time' })) as unknown as AuditEventDocument[];
      const inReport: AuditEventDocument[] = [];
      for (const doc of docs) {
        after = doc.sortKey;
        if (doc.tenantId === tenantId && doc.sequence <= headSequence) inReport.push(doc);
      }
      inclusive = false;
      yield (await this.bodies.of(tenantId, inReport)).map((r) => r.event);
      if (docs.length < PAGE) return;
    }
  }

  private pdfDocument(request: ReportRequestedData, description: string, generatedAt: string, computed: ComputedReport): PdfReportDocument {
    return {
      tenantId: request.tenantId,
      template: { id: request.template.id, version: request.template.version, name: request.template.name, framework: request.template.framework, description },
      period: request.period,
      generatedAt,
      generatedBy: request.requestedBy,
      parameters: request.parameters,
      summary: computed.summary,
      charts: computed.charts,
      sections: computed.sections,
      evidence: {
        headSequence: request.headSequence,
        headHash: request.headHash,
        firstSequence: computed.firstSequence,
        lastSequence: computed.lastSequence,
        eventsConsidered: computed.eventsConsidered,
        keyId: this.keys!.keyId,
        generatorVersion: REPORT_GENERATOR_VERSION,
      },
    };
  }
}
