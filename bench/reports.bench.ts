/**
 * Report generation benchmark (issue 9 item 8): seconds to generate each template as CSV over a
 * tenant with 100,000 and one with 1,000,000 events (all in the period), the process's peak RSS
 * while generating, and the longest event-loop stall (other requests wait at most that long).
 * The real generator runs (read-model paging through the cooperative scheduler, template computation,
 * CSV streamed to the embedded file store, SHA-256, Ed25519 signature); only HTTP is left out.
 * Usage: npm run bench:reports (compiled to dist-bench/ first: ts-node's compiler would add ~80 MB to the RSS measured)
 *   env SIZES (100000,1000000), TEMPLATES (all), BENCH_DATA_DIR (reuse a seeded dir), FORMAT (csv)
 * FORMAT=pdf renders through the service's PDF renderer (system Chromium, see bench/report-pdf.bench.ts).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { StoredAuditEvent } from '../src/audit-log/audit-event';
import { AuditLogProjection } from '../src/audit-log/audit-log.projection';
import { ChromiumBrowser, chromiumExecutable } from '../src/reports/rendering/chromium-browser';
import { PuppeteerReportPdfRenderer } from '../src/reports/rendering/puppeteer-report-pdf.renderer';
import { AUDIT_EVENTS, AUDIT_TENANTS, auditDocumentId, sortKeyOf } from '../src/audit-log/audit-log.read-model';
import { GENESIS_HASH } from '../src/integrity/hash-chain';
import { loadSigningKeys } from '../src/integrity/signing/signing-keys';
import { READ_SLICE_MS } from '../src/config/app-config';
import { CooperativeScheduler } from '../src/read-limits/cooperative-scheduler';
import { WriteOperation } from '../src/read-store/read-store.port';
import { SqliteReadStore } from '../src/read-store/sqlite/sqlite-read-store';
import { ReportGenerator } from '../src/reports/generation/report-generator';
import { ReportRequestedData } from '../src/reports/generation/report.events';
import { FsReportFileStore } from '../src/reports/storage/fs-report-file-store';
import { BUILT_IN_TEMPLATES, builtInTemplate } from '../src/reports/templates/builtin-templates';
import { configurableTemplate } from '../src/reports/templates/configurable-template';
import { INDUSTRY_TEMPLATE_DEFINITIONS } from '../src/reports/templates/industry-templates';
import { rng } from './lib/audit-events';

const SIZES = (process.env.SIZES ?? '100000,1000000').split(',').map(Number);
const FORMAT = (process.env.FORMAT ?? 'csv') as 'csv' | 'pdf';
const TEMPLATE_IDS = (process.env.TEMPLATES ?? [...BUILT_IN_TEMPLATES.map((t) => t.id), ...INDUSTRY_TEMPLATE_DEFINITIONS.map((d) => d.id)].join(',')).split(',');
const PERIOD_FROM = Date.parse('2026-01-01T00:00:00.000Z');
const SPAN_MS = 90 * 86_400_000;
const COMMIT = 5000;

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];

/** Mixed traffic that gives every template a population: admin actions, changes, financial, personal, consent, DSR, PHI, cardholder data. */
function eventOf(r: () => number, tenantId: string, sequence: number, size: number): StoredAuditEvent {
  const occurredAt = new Date(PERIOD_FROM + Math.floor((sequence / size) * SPAN_MS)).toISOString();
  const kind = Math.floor(r() * 10);
  const actor = { id: `user-${Math.floor(r() * 1000)}`, type: r() < 0.15 ? ('admin' as const) : ('user' as const), role: pick(r, ['clerk', 'finance_manager', 'super_admin', 'auditor']) };
  const base = { id: randomUUID(), tenantId, sequence, occurredAt, recordedAt: occurredAt, actor, channel: pick(r, ['ui', 'api'] as const), outcome: r() < 0.1 ? ('denied' as const) : ('success' as const), prevHash: GENESIS_HASH, hash: GENESIS_HASH, context: { requestId: randomUUID(), sourceService: 'billing' } };
  const amount = Math.round(r() * 100_000) / 100;
  switch (kind) {
    case 0:
    case 1:
      return { ...base, action: pick(r, ['invoice.update', 'invoice.read', 'ledger.export', 'payment.create']), resource: { type: pick(r, ['invoice', 'ledger', 'payment']), id: `F-${Math.floor(r() * 5000)}`, sensitivity: 'financial' }, changes: { before: { amount }, after: { amount: amount + 10 } }, metadata: r() < 0.7 ? { approvedBy: `user-${Math.floor(r() * 1000)}` } : {} };
    case 2:
      return { ...base, action: 'customer.view', resource: { type: 'customer', id: `C-${Math.floor(r() * 5000)}`, sensitivity: 'personal' }, dataSubjects: [`subject-${Math.floor(r() * 20000)}`] };
    case 3:
      return { ...base, action: pick(r, ['consent.grant', 'consent.withdraw']), resource: { type: 'consent', id: `consent-${Math.floor(r() * 20000)}` } };
    case 4:
      return { ...base, action: pick(r, ['dsr.received', 'dsr.extended', 'dsr.completed', 'dsr.rejected']), resource: { type: 'data_subject_request', id: `dsr-${Math.floor(r() * 5000)}` } };
    case 5:
      return { ...base, action: pick(r, ['patient_record.read', 'lab_result.export']), resource: { type: pick(r, ['patient_record', 'lab_result']), id: `P-${Math.floor(r() * 5000)}` } };
    case 6:
      return { ...base, action: 'card.read', resource: { type: 'cardholder_data', id: `card-${Math.floor(r() * 5000)}` } };
    default:
      return { ...base, action: pick(r, ['document.read', 'user.update', 'role.assign']), resource: { type: pick(r, ['document', 'user', 'role']), id: `D-${Math.floor(r() * 5000)}` } };
  }
}

async function seed(store: SqliteReadStore, tenantId: string, size: number, position: { value: number }): Promise<void> {
  const existing = (await store.findById(AUDIT_TENANTS, tenantId)) as { headSequence: number } | null;
  if (existing && existing.headSequence + 1 >= size) return;
  const r = rng(size);
  const started = performance.now();
  for (let from = 0; from < size; from += COMMIT) {
    const writes: WriteOperation[] = [];
    let last: StoredAuditEvent | null = null;
    for (let sequence = from; sequence < Math.min(size, from + COMMIT); sequence++) {
      const event = eventOf(r, tenantId, sequence, size);
      const pos = String(++position.value).padStart(20, '0');
      writes.push({ kind: 'put', collection: AUDIT_EVENTS, position: pos, doc: { ...event, id: auditDocumentId(tenantId, event.id), eventId: event.id, sortKey: sortKeyOf(event.occurredAt, sequence) } });
      last = event;
    }
    const pos = String(position.value).padStart(20, '0');
    writes.push({ kind: 'put', collection: AUDIT_TENANTS, position: pos, doc: { id: tenantId, headSequence: last!.sequence, headHash: last!.hash } });
    const checkpoint = await store.getCheckpoint('audit_log');
    await store.commit('audit_log', checkpoint?.position ?? null, pos, writes);
  }
  console.log(`seeded ${size} events of ${tenantId} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const dir = process.env.BENCH_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'reports-bench-'));
  const store = new SqliteReadStore({ file: path.join(dir, 'read.db') });
  await store.prepareProjection(new AuditLogProjection().definition);
  const checkpoint = await store.getCheckpoint('audit_log');
  const position = { value: checkpoint?.position ? Number(checkpoint.position) : 0 };
  for (const size of SIZES) await seed(store, `bench${size}`, size, position);

  const keyFile = path.join(dir, 'bench-signing-key.pem');
  if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const keys = loadSigningKeys({ signing: { kind: 'file', privateKeyFile: keyFile }, dataDir: dir } as never);
  const templates = {
    resolve: async (_tenant: string, id: string) => builtInTemplate(id) ?? configurableTemplate(INDUSTRY_TEMPLATE_DEFINITIONS.find((d) => d.id === id)!, 1, true),
  };
  const files = new FsReportFileStore(path.join(dir, 'reports'));
  // PDF: the service's renderer (one reused Chromium); its processes' memory is not in the RSS measured here.
  const renderer = FORMAT === 'pdf' ? new PuppeteerReportPdfRenderer(new ChromiumBrowser({ maxPages: 2, executablePath: chromiumExecutable() }), { timeoutMs: 600_000 }) : null;
  const generator = new ReportGenerator(null as never, store, templates as never, files, keys, new CooperativeScheduler(READ_SLICE_MS), null as never, null as never, { pollMs: 0, clock: () => new Date() }, renderer);

  const results: Array<Record<string, unknown>> = [];
  for (const size of SIZES) {
    for (const templateId of TEMPLATE_IDS) {
      const template = await templates.resolve('', templateId);
      const tenantId = `bench${size}`;
      const head = (await store.findById(AUDIT_TENANTS, tenantId)) as unknown as { headSequence: number; headHash: string };
      const request: ReportRequestedData = {
        tenantId,
        reportId: `${templateId}_${size}`,
        template: { id: template.id, version: template.version, name: template.name, framework: template.framework },
        period: { from: new Date(PERIOD_FROM).toISOString(), to: new Date(PERIOD_FROM + SPAN_MS).toISOString(), timezone: 'Europe/Berlin' },
        format: FORMAT,
        parameters: {},
        requestedBy: 'bench',
        requestedAt: new Date().toISOString(),
        headSequence: head.headSequence,
        headHash: head.headHash,
      };
      (global as { gc?: () => void }).gc?.();
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const started = performance.now();
      const result = await generator.produce(request, new Date().toISOString());
      const seconds = (performance.now() - started) / 1000;
      loop.disable();
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const row = {
        template: templateId,
        events: size,
        format: FORMAT,
        seconds: Number(seconds.toFixed(2)),
        eventsPerSec: Math.round(size / seconds),
        population: result.populationSize,
        fileMiB: Number((result.file.bytes / 1048576).toFixed(1)),
        rssBeforeMiB: Math.round(rssBefore / 1048576),
        peakRssMiB: Math.round(peak / 1048576),
        maxLoopStallMs: Math.round(loop.max / 1e6),
      };
      results.push(row);
      console.log(JSON.stringify(row));
      await files.delete(result.file.key);
    }
  }
  fs.mkdirSync(path.join(process.cwd(), 'bench', 'results'), { recursive: true });
  await renderer?.onApplicationShutdown();
  fs.writeFileSync(path.join(process.cwd(), 'bench', 'results', `reports-${FORMAT}-${new Date().toISOString().replace(/[:.]/g, '')}.json`), JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, node: process.version, results }, null, 2));
  await store.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
