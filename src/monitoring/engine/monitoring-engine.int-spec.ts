import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AUDIT_EVENT_RECORDED } from '../../audit-log/audit-event';
import { JsonObject } from '../../event-store/event-store.port';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { auditStreamOf } from '../../event-store/stream-names';
import { ProjectionRunner } from '../../projections/projection-runner';
import { ReadStore, ReadStoreFaults } from '../../read-store/read-store.port';
import { SqliteReadStore } from '../../read-store/sqlite/sqlite-read-store';
import { makeTempDir } from '../../../test/support/temp-dir';
import { ALERTS, AlertDocument } from '../alerts/alert';
import { defaultRule } from '../rules/default-rules';
import { ruleStreamOf } from '../rules/rule-stream';
import { MONITORING_RULE_UPDATED } from '../rules/rule.events';
import { MonitoringEngineProjection } from './monitoring-engine.projection';
import { MONITORING_WINDOWS } from './monitoring-engine.read-model';

const T0 = Date.parse('2026-05-04T10:00:00.000Z');

/** Appends audit events to a tenant's stream in the shape the ingestion writer stores. */
async function record(events: SqliteEventStore, tenantId: string, items: Array<{ actor: string; seconds: number }>): Promise<void> {
  const stream = auditStreamOf(tenantId);
  const head = (await events.readStream(stream)).length - 1;
  await events.append(
    stream,
    items.map(({ actor, seconds }, i) => {
      const id = randomUUID();
      const data = { id, tenantId, sequence: head + 1 + i, occurredAt: new Date(T0 + seconds * 1000).toISOString(), recordedAt: new Date(T0).toISOString(), actor: { id: actor, type: 'user' }, action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' }, channel: 'api', prevHash: '', hash: '' };
      return { id, type: AUDIT_EVENT_RECORDED, data: data as unknown as JsonObject };
    }),
    head === -1 ? 'no_stream' : head,
  );
}

/** acme: bob 5 (alert) + 1 (joins); the threshold is lowered to 2; eve 2 (alert at version 2); globex: bob 5 (its own alert). */
async function givenHistory(events: SqliteEventStore): Promise<void> {
  await record(events, 'acme', [0, 1, 2, 3, 4].map((s) => ({ actor: 'bob', seconds: s })));
  await record(events, 'acme', [{ actor: 'bob', seconds: 100 }]);
  const rule = { ...defaultRule('privilege-escalation-attempts')!, condition: { type: 'threshold', threshold: 2, windowSeconds: 600, groupBy: ['actor.id'], count: 'events' }, version: 2, updatedAt: new Date(T0).toISOString(), updatedBy: 'alice' };
  await events.append(ruleStreamOf('acme', 'privilege-escalation-attempts'), [{ id: randomUUID(), type: MONITORING_RULE_UPDATED, data: { tenantId: 'acme', ruleId: 'privilege-escalation-attempts', by: 'alice', at: rule.updatedAt, rule } as unknown as JsonObject }], 'no_stream');
  await record(events, 'acme', [{ actor: 'eve', seconds: 200 }, { actor: 'eve', seconds: 201 }]);
  await record(events, 'globex', [0, 1, 2, 3, 4].map((s) => ({ actor: 'bob', seconds: s })));
}

async function alertsIn(store: ReadStore): Promise<AlertDocument[]> {
  return (await store.find(ALERTS, {}, { sort: [['id', 1]] })) as unknown as AlertDocument[];
}

describe('Rules engine on its own checkpointed subscription', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let events: SqliteEventStore;
  // One owner id for every connection: a restart is the same instance again, not a second one waiting for the lease (ADR 018).
  const openReadStore = (name: string, faults?: ReadStoreFaults) => new SqliteReadStore({ file: path.join(temp.dir, `${name}.db`), faults, owner: 'monitoring-test' });

  beforeEach(async () => {
    temp = makeTempDir();
    events = new SqliteEventStore({ file: path.join(temp.dir, 'events.db'), pollIntervalMs: 50 });
    await givenHistory(events);
  });
  afterEach(async () => {
    await events.close();
    temp.cleanup();
  });

  it('raises per tenant and group, joins within suppression, and applies a rule edit to the events after it (ruleVersion 2)', async () => {
    const store = openReadStore('clean');
    const runner = new ProjectionRunner(new MonitoringEngineProjection(), events, store);
    await runner.prepare();
    await runner.catchUp();
    const alerts = await alertsIn(store);
    expect(alerts.map((a) => [a.tenantId, a.groupFields.map((g) => `${g.field}=${g.value}`), a.eventCount, a.ruleVersion]).sort()).toEqual(
      [
        ['acme', ['actor.id=bob'], 6, 1],
        ['acme', ['actor.id=eve'], 2, 2],
        ['globex', ['actor.id=bob'], 5, 1],
      ].sort(),
    );
    await store.close();
  });

  it('after a crash in the middle of a batch and a restart, the alerts and windows are exactly those of an uninterrupted run: none lost, none twice', async () => {
    const clean = openReadStore('clean');
    const cleanRunner = new ProjectionRunner(new MonitoringEngineProjection(), events, clean, { batchSize: 3 });
    await cleanRunner.prepare();
    await cleanRunner.catchUp();

    for (const crashAt of [1, 2, 3, 4, 5]) {
      let commits = 0;
      const crashing = openReadStore(`crash${crashAt}`, {
        afterDataBeforeCheckpoint: () => {
          // A store I/O error: the runner retries it as a crash would, never blames (parks) the events.
          if (++commits === crashAt) throw Object.assign(new Error('injected crash between data and checkpoint'), { code: 'SQLITE_IOERR' });
        },
      });
      const first = new ProjectionRunner(new MonitoringEngineProjection(), events, crashing, { batchSize: 3 });
      await first.prepare();
      await expect(first.catchUp()).rejects.toThrow('injected crash');
      await crashing.close();

      const restarted = openReadStore(`crash${crashAt}`);
      const second = new ProjectionRunner(new MonitoringEngineProjection(), events, restarted, { batchSize: 3 });
      await second.prepare();
      await second.catchUp();
      expect(await alertsIn(restarted)).toEqual(await alertsIn(clean));
      expect(await restarted.find(MONITORING_WINDOWS, {}, { sort: [['id', 1]] })).toEqual(await clean.find(MONITORING_WINDOWS, {}, { sort: [['id', 1]] }));
      await restarted.close();
    }
    await clean.close();
  });

  it('a rebuild from the start of the log gives the same alert ids', async () => {
    const store = openReadStore('rebuild');
    const runner = new ProjectionRunner(new MonitoringEngineProjection(), events, store);
    await runner.prepare();
    await runner.catchUp();
    const before = (await alertsIn(store)).map((a) => a.id);
    await runner.reset();
    await runner.catchUp();
    expect((await alertsIn(store)).map((a) => a.id)).toEqual(before);
    expect(before).toHaveLength(3);
    await store.close();
  });
});
