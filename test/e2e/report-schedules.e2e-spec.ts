import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { configureApp } from '../../src/http/configure-app';
import { REPORT_REQUESTS } from '../../src/reports/report-requests.port';
import { scheduledReportIdOf } from '../../src/reports/schedules/report-schedule';
import { REPORT_SCHEDULE_CLOCK } from '../../src/reports/schedules/report-schedule-clock';
import { ReportScheduleRunner } from '../../src/reports/schedules/report-schedule-runner';
import { reportScheduleStreamOf } from '../../src/reports/schedules/report-schedule-stream';
import { REPORT_SCHEDULES_PROJECTION } from '../../src/reports/schedules/report-schedules.read-model';
import { REPORT_SCHEDULE_RUN_REQUESTED } from '../../src/reports/schedules/report-schedule.events';
import { auditApi } from '../support/audit-api';
import { RecordingReportRequests, recordingReportRequestsModule } from '../support/recording-report-requests';
import { readStoreEnv, sameStoresEnv } from '../support/test-app';
import { makeTempDir } from '../support/temp-dir';
import { bearer, TEST_JWT_SECRET } from '../support/tokens';
import { projectionSettled } from '../support/projection-settled';
import { raceReadsOf } from '../support/racing-reads';

jest.setTimeout(60_000);

interface ScheduleApp {
  app: INestApplication;
  config: AppConfig;
  reports: RecordingReportRequests;
  clock: { now: Date };
  http: () => request.Agent;
  close(): Promise<void>;
}

/** The app on `env`'s stores with a settable schedule clock and a recording REPORT_REQUESTS (or none). */
async function scheduleApp(options: { env?: NodeJS.ProcessEnv; now: string; reports?: RecordingReportRequests | null }): Promise<ScheduleApp> {
  const config = loadAppConfig({ LOG_LEVEL: 'error', JWT_SECRET: TEST_JWT_SECRET, PROJECTION_MODE: 'inline', ...readStoreEnv().env, ...options.env });
  const clock = { now: new Date(options.now) };
  const reports = options.reports === undefined ? new RecordingReportRequests() : options.reports;
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config), ...(reports ? [recordingReportRequestsModule(reports)] : [])] })
    .overrideProvider(REPORT_SCHEDULE_CLOCK)
    .useValue(() => clock.now);
  // Where the app has its own REPORT_REQUESTS (the reports module), the recording one replaces it.
  if (reports) builder = builder.overrideProvider(REPORT_REQUESTS).useValue(reports);
  const moduleRef = await builder.compile();
  const app = configureApp(moduleRef.createNestApplication({ logger: false }));
  await app.init();
  return { app, config, reports: reports!, clock, http: () => request(app.getHttpServer()) as unknown as request.Agent, close: () => app.close() };
}

const officer = (tenant = 'acme') => bearer({ tenant, roles: ['compliance_officer'], sub: 'olivia' });
const daily = { templateId: 'sox-privileged-access', frequency: 'daily', timezone: 'Europe/Berlin', time: '06:00', format: 'pdf', delivery: { notify: true } };

describe('Report schedules (/v1/report-schedules)', () => {
  const temp = makeTempDir();
  let t: ScheduleApp;

  beforeAll(async () => {
    t = await scheduleApp({ env: { DATA_DIR: temp.dir }, now: '2026-03-27T10:00:00Z' });
  });
  afterAll(async () => {
    await t.close();
    temp.cleanup();
  });

  it('creates, reads, lists, replaces and deletes a schedule, each change self-audited as report_schedule.*', async () => {
    const created = await t.http().post('/v1/report-schedules').set('Authorization', officer()).send(daily).expect(201);
    const id = created.body.id as string;
    expect(created.headers.location).toBe(`/v1/report-schedules/${id}`);
    expect(created.body).toMatchObject({ ...daily, enabled: true, version: 1, createdBy: 'olivia', nextRunAt: '2026-03-28T05:00:00.000Z', lastRun: null });
    expect((await t.http().get(`/v1/report-schedules/${id}`).set('Authorization', officer()).expect(200)).body).toEqual(created.body);
    expect((await t.http().get('/v1/report-schedules').set('Authorization', officer()).expect(200)).body.items.map((s: { id: string }) => s.id)).toContain(id);

    const weekly = { ...daily, frequency: 'weekly', dayOfWeek: 1, time: '07:30', format: 'csv' };
    const replaced = await t.http().put(`/v1/report-schedules/${id}`).set('Authorization', officer()).send(weekly).expect(200);
    expect(replaced.body).toMatchObject({ frequency: 'weekly', dayOfWeek: 1, format: 'csv', version: 2, nextRunAt: '2026-03-30T05:30:00.000Z' });

    await t.http().delete(`/v1/report-schedules/${id}`).set('Authorization', officer()).expect(204);
    await t.http().get(`/v1/report-schedules/${id}`).set('Authorization', officer()).expect(404);

    const api = auditApi(t.app);
    const head = await api.head(officer());
    for (const action of ['report_schedule.create', 'report_schedule.update', 'report_schedule.delete']) {
      const records = await api.list(officer(), `action=${action}&resourceId=${id}`, head);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ actor: { id: 'olivia' }, outcome: 'success', resource: { type: 'report_schedule', id } });
    }
    const update = (await api.list(officer(), `action=report_schedule.update&resourceId=${id}`, head))[0];
    const detail = await t.http().get(`/v1/audit-events/${update.id}`).set('Authorization', officer()).expect(200);
    expect(detail.body.changes.before).toMatchObject({ frequency: 'daily' });
    expect(detail.body.changes.after).toMatchObject({ frequency: 'weekly', dayOfWeek: 1 });
  });

  it.each([
    [{ ...daily, timezone: 'Mars/Olympus' }, 'timezone'],
    [{ ...daily, time: '24:00' }, 'time'],
    [{ ...daily, frequency: 'weekly' }, 'dayOfWeek'],
    [{ ...daily, frequency: 'monthly', dayOfMonth: 29 }, 'dayOfMonth'],
    [{ ...daily, dayOfMonth: 3 }, 'dayOfMonth'],
    [{ ...daily, format: 'docx' }, 'format'],
    [{ ...daily, delivery: { notify: true, emails: ['not-an-address'] } }, 'delivery.emails[0]'],
    [{ ...daily, surprise: 1 }, 'surprise'],
  ])('refuses %j with 400 naming %s, and writes nothing', async (body, path) => {
    const before = (await t.http().get('/v1/report-schedules').set('Authorization', officer('refusals')).expect(200)).body.items.length;
    const res = await t.http().post('/v1/report-schedules').set('Authorization', officer('refusals')).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await t.http().get('/v1/report-schedules').set('Authorization', officer('refusals')).expect(200)).body.items).toHaveLength(before);
  });

  it('refuses e-mail delivery with 422 and a clear reason when SMTP_URL is not set, and writes nothing', async () => {
    const res = await t.http().post('/v1/report-schedules').set('Authorization', officer('nosmtp')).send({ ...daily, delivery: { notify: false, emails: ['auditor@example.com'] } }).expect(422);
    expect(res.body.errors).toEqual([{ path: 'delivery.emails', message: expect.stringContaining('SMTP_URL is not set') }]);
    expect((await t.http().get('/v1/report-schedules').set('Authorization', officer('nosmtp')).expect(200)).body.items).toEqual([]);
  });

  it('refuses an unknown template with 422', async () => {
    t.reports.unknownTemplates.add('no-such-template');
    const res = await t.http().post('/v1/report-schedules').set('Authorization', officer()).send({ ...daily, templateId: 'no-such-template' }).expect(422);
    expect(res.body.errors).toEqual([{ path: 'templateId', message: expect.stringContaining('no-such-template') }]);
  });

  it("keeps tenants apart: another tenant's schedule is a 404 to read, change, run or delete, and absent from lists", async () => {
    const id = (await t.http().post('/v1/report-schedules').set('Authorization', officer('globex')).send(daily).expect(201)).body.id;
    await t.http().get(`/v1/report-schedules/${id}`).set('Authorization', officer()).expect(404);
    await t.http().put(`/v1/report-schedules/${id}`).set('Authorization', officer()).send(daily).expect(404);
    await t.http().post(`/v1/report-schedules/${id}/run`).set('Authorization', officer()).expect(404);
    await t.http().delete(`/v1/report-schedules/${id}`).set('Authorization', officer()).expect(404);
    expect((await t.http().get('/v1/report-schedules').set('Authorization', officer()).expect(200)).body.items.map((s: { id: string }) => s.id)).not.toContain(id);
    await t.http().get(`/v1/report-schedules/${id}`).set('Authorization', officer('globex')).expect(200);
  });

  it('needs reports:schedule: an auditor gets 403, a malformed id 400', async () => {
    await t.http().get('/v1/report-schedules').set('Authorization', bearer({ roles: ['auditor'] })).expect(403);
    await t.http().post('/v1/report-schedules').set('Authorization', bearer({ roles: ['auditor'] })).send(daily).expect(403);
    await t.http().get('/v1/report-schedules/not-a-uuid').set('Authorization', officer()).expect(400);
  });

  it('runs now for the last complete period: 202 with the deterministic report id; asking again returns the same report; lastRun shows it', async () => {
    const id = (await t.http().post('/v1/report-schedules').set('Authorization', officer('runner')).send(daily).expect(201)).body.id as string;
    const first = await t.http().post(`/v1/report-schedules/${id}/run`).set('Authorization', officer('runner')).expect(202);
    const period = { from: '2026-03-25T23:00:00.000Z', to: '2026-03-26T23:00:00.000Z' };
    expect(first.body).toEqual({ scheduleId: id, reportId: scheduledReportIdOf('runner', id, period), created: true, status: 'queued', period });
    const again = await t.http().post(`/v1/report-schedules/${id}/run`).set('Authorization', officer('runner')).expect(202);
    expect(again.body).toMatchObject({ reportId: first.body.reportId, created: false });
    const asked = t.reports.calls.filter((c) => c.tenantId === 'runner');
    expect(asked[0].request).toMatchObject({ id: first.body.reportId, templateId: 'sox-privileged-access', from: period.from, to: period.to, timezone: 'Europe/Berlin', format: 'pdf', requestedBy: `schedule:${id}`, scheduleId: id, delivery: { notify: true } });
    const shown = await t.http().get(`/v1/report-schedules/${id}`).set('Authorization', officer('runner')).expect(200);
    expect(shown.body.lastRun).toMatchObject({ reportId: first.body.reportId, trigger: 'manual', requestedBy: 'olivia', period });
    // A manual run does not move the scheduled runs.
    expect(shown.body.nextRunAt).toBe('2026-03-28T05:00:00.000Z');
    const api = auditApi(t.app);
    const runs = await api.list(officer('runner'), `action=report_schedule.run&resourceId=${id}`, await api.head(officer('runner')));
    expect(runs).toHaveLength(2);
    expect(runs.every((r) => r.outcome === 'success')).toBe(true);
  });

  it('answers 202 to each of three runs of one schedule at the same moment (their records of the run race on the schedule stream)', async () => {
    const id = (await t.http().post('/v1/report-schedules').set('Authorization', officer('racer')).send(daily).expect(201)).body.id as string;
    const restore = raceReadsOf(t.app.get<EventStore>(EVENT_STORE), reportScheduleStreamOf('racer', id), 3);
    const runs = await Promise.all(Array.from({ length: 3 }, () => t.http().post(`/v1/report-schedules/${id}/run`).set('Authorization', officer('racer')))).finally(restore);
    expect(runs.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(new Set(runs.map((r) => r.body.reportId))).toEqual(new Set([scheduledReportIdOf('racer', id, { from: '2026-03-25T23:00:00.000Z', to: '2026-03-26T23:00:00.000Z' })]));
  });

  it('requests each due period once, even when two passes run at the same time, over the spring-forward night', async () => {
    const tenant = 'due';
    t.clock.now = new Date('2026-03-27T10:00:00Z');
    const id = (await t.http().post('/v1/report-schedules').set('Authorization', officer(tenant)).send({ ...daily, time: '02:30' }).expect(201)).body.id as string;
    const runner = t.app.get(ReportScheduleRunner);
    // Three days later: runs due on 28 (01:30Z), 29 (02:30 does not exist: 03:30 CEST = 01:30Z) and 30 March (00:30Z).
    const later = new Date('2026-03-30T06:00:00Z');
    await Promise.all([runner.runDue(later), runner.runDue(later)]);
    const created = [...t.reports.created.values()].filter((r) => r.tenantId === tenant).map((r) => [r.request.from, r.request.to]);
    expect(created).toEqual([
      ['2026-03-26T23:00:00.000Z', '2026-03-27T23:00:00.000Z'],
      ['2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z'],
      // 29 March, the 23-hour day: CET at its midnight, CEST at the next.
      ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    ]);
    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(reportScheduleStreamOf(tenant, id));
    expect(events.filter((e) => e.type === REPORT_SCHEDULE_RUN_REQUESTED).map((e) => (e.data as { run: { scheduledFor: string } }).run.scheduledFor)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    await runner.runDue(later);
    expect([...t.reports.created.values()].filter((r) => r.tenantId === tenant)).toHaveLength(3);
    // The runner does not wait for the read model; the API shows its runs once the projection applied them.
    expect(await projectionSettled(t.app, REPORT_SCHEDULES_PROJECTION)).toBe(true);
    const shown = (await t.http().get(`/v1/report-schedules/${id}`).set('Authorization', officer(tenant)).expect(200)).body;
    expect(shown).toMatchObject({ nextRunAt: '2026-03-31T00:30:00.000Z', lastRun: { trigger: 'schedule', scheduledFor: '2026-03-30T00:30:00.000Z' } });
  });
});

describe('Report schedules with SMTP_URL set', () => {
  it('accepts e-mail delivery', async () => {
    const temp = makeTempDir();
    const t = await scheduleApp({ env: { DATA_DIR: temp.dir, SMTP_URL: 'smtp://127.0.0.1:2525' }, now: '2026-03-27T10:00:00Z' });
    try {
      const res = await t.http().post('/v1/report-schedules').set('Authorization', officer()).send({ ...daily, delivery: { notify: false, emails: ['auditor@example.com'] } }).expect(201);
      expect(res.body.delivery).toEqual({ notify: false, emails: ['auditor@example.com'] });
    } finally {
      await t.close();
      temp.cleanup();
    }
  });
});

describe('Report schedules after downtime', () => {
  it('catches up at start, oldest first, the runs missed while the service was down (or ran without report generation)', async () => {
    const temp = makeTempDir();
    try {
      const before = await scheduleApp({ env: { DATA_DIR: temp.dir }, now: '2026-01-30T12:00:00Z', reports: null });
      const id = (await before.http().post('/v1/report-schedules').set('Authorization', officer()).send({ ...daily, frequency: 'monthly', dayOfMonth: 1, timezone: 'America/New_York', time: '06:00' }).expect(201)).body.id as string;
      expect(before.app.get(ReportScheduleRunner)).toBeDefined();
      const env = sameStoresEnv({ config: before.config, dataDir: temp.dir } as never);
      await before.close();

      const after = await scheduleApp({ env, now: '2026-04-15T12:00:00Z' });
      try {
        await after.app.get(ReportScheduleRunner).tick();
        expect(after.reports.calls.map((c) => [c.request.from, c.request.to])).toEqual([
          ['2026-01-01T05:00:00.000Z', '2026-02-01T05:00:00.000Z'],
          ['2026-02-01T05:00:00.000Z', '2026-03-01T05:00:00.000Z'],
          ['2026-03-01T05:00:00.000Z', '2026-04-01T04:00:00.000Z'],
        ]);
        expect(after.reports.calls.every((c) => c.request.scheduleId === id)).toBe(true);
      } finally {
        await after.close();
      }
    } finally {
      temp.cleanup();
    }
  });
});
