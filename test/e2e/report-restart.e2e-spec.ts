import request from 'supertest';
import { decideOnStream } from '../../src/event-sourcing/decider-stream';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { ProjectionRegistry } from '../../src/projections/projection-registry.service';
import { reportDecider } from '../../src/reports/generation/report.decider';
import { decodeReportEvent, reportStreamOf } from '../../src/reports/generation/report.events';
import { ReportGenerator } from '../../src/reports/generation/report-generator';
import { REPORTS_PROJECTION } from '../../src/reports/reports.read-model';
import { ReportsProjection } from '../../src/reports/reports.projection';
import { ReportsService } from '../../src/reports/reports.service';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, sameStoresEnv, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'ingest', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });

describe('A report whose generation was cut short by a crash', () => {
  let first: TestApp;
  let restarted: TestApp | undefined;
  afterAll(async () => {
    await restarted?.close();
  });

  it('is generated again when the service starts on the same data (attempt 2, ready), not left running', async () => {
    first = await createTestApp();
    await auditApi(first.app).record(writer, [auditEvent({ occurredAt: '2026-03-02T10:00:00.000Z', actor: { id: 'root', type: 'admin' } })]);
    // The crashed instance: it had queued the report and claimed attempt 1, then died before finishing.
    const service = first.app.get(ReportsService) as unknown as { queue: { kick(): void } };
    service.queue = { kick: () => undefined };
    await first.app.get(ReportsService).request('acme', { id: 'crashed_report', templateId: 'sox-privileged-access', from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', timezone: 'UTC', format: 'csv', requestedBy: 'carol' });
    await decideOnStream(first.app.get<EventStore>(EVENT_STORE), reportStreamOf('acme', 'crashed_report'), reportDecider(), decodeReportEvent, { kind: 'start', at: new Date().toISOString() });
    const head = await first.app.get<EventStore>(EVENT_STORE).headPosition({ streamPrefixes: first.app.get(ReportsProjection).streamPrefixes });
    expect(await first.app.get(ProjectionRegistry).runner(REPORTS_PROJECTION).waitFor(head!, 5000)).toBe(true);
    expect((await request(first.app.getHttpServer()).get('/v1/reports/crashed_report').set('Authorization', officer).expect(200)).body).toMatchObject({ status: 'running', attempts: 1 });
    await first.app.close();

    restarted = await createTestApp({ env: sameStoresEnv(first) });
    await restarted.app.get(ReportGenerator).idle();
    const after = await restarted.app.get<EventStore>(EVENT_STORE).headPosition({ streamPrefixes: restarted.app.get(ReportsProjection).streamPrefixes });
    expect(await restarted.app.get(ProjectionRegistry).runner(REPORTS_PROJECTION).waitFor(after!, 5000)).toBe(true);
    const report = (await request(restarted.app.getHttpServer()).get('/v1/reports/crashed_report').set('Authorization', officer).expect(200)).body;
    expect(report).toMatchObject({ status: 'ready', attempts: 2, summary: [{ name: 'events', value: 1 }, { name: 'actors', value: 1 }, { name: 'deniedOrFailed', value: 0 }] });
    const verify = await request(restarted.app.getHttpServer()).get('/v1/reports/crashed_report/verify').set('Authorization', officer).expect(200);
    expect(verify.body).toMatchObject({ fileHashValid: true, signatureValid: true, chainHeadPresent: true });
  }, 30_000); // two application starts and a shutdown
});
