import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AUDIT_EVENT_RECORDED } from '../../audit-log/audit-event';
import { JsonObject } from '../../event-store/event-store.port';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { aggregateStreamOf, auditStreamOf } from '../../event-store/stream-names';
import { ProjectionRunner } from '../../projections/projection-runner';
import { SqliteReadStore } from '../../read-store/sqlite/sqlite-read-store';
import { makeTempDir } from '../../../test/support/temp-dir';
import { MonitoringEngineProjection } from '../engine/monitoring-engine.projection';
import { AlertChange, AlertChangeCursor, AlertChangeFeed } from './alert-change-feed';
import { ALERT_ACKNOWLEDGED } from './alert-triage';

const T0 = Date.parse('2026-05-04T10:00:00.000Z');

/** Denied role assignments (the default `privilege-escalation-attempts` rule: 5 in 10 minutes per actor). */
async function deniedAssignments(events: SqliteEventStore, tenantId: string, actor: string, seconds: number[]): Promise<void> {
  const stream = auditStreamOf(tenantId);
  const head = (await events.readStream(stream)).length - 1;
  await events.append(
    stream,
    seconds.map((s, i) => {
      const id = randomUUID();
      const data = { id, tenantId, sequence: head + 1 + i, occurredAt: new Date(T0 + s * 1000).toISOString(), recordedAt: new Date(T0).toISOString(), actor: { id: actor, type: 'user' }, action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' }, channel: 'api', prevHash: '', hash: '' };
      return { id, type: AUDIT_EVENT_RECORDED, data: data as unknown as JsonObject };
    }),
    head === -1 ? 'no_stream' : head,
  );
}

async function readAll(feed: AlertChangeFeed, from: AlertChangeCursor | null, pageSize: number): Promise<{ changes: AlertChange[]; cursor: AlertChangeCursor | null }> {
  const changes: AlertChange[] = [];
  let cursor = from;
  for (;;) {
    const page = await feed.readAfter(cursor, pageSize);
    if (page.length === 0) return { changes, cursor };
    changes.push(...page);
    const last = page[page.length - 1];
    cursor = { position: last.position, alertId: last.alertId };
  }
}

describe('AlertChangeFeed: alerts changed after a cursor, in log order, committed only', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let events: SqliteEventStore;
  let store: SqliteReadStore;
  let runner: ProjectionRunner;
  let feed: AlertChangeFeed;

  beforeEach(async () => {
    temp = makeTempDir();
    events = new SqliteEventStore({ file: path.join(temp.dir, 'events.db'), pollIntervalMs: 50 });
    store = new SqliteReadStore({ file: path.join(temp.dir, 'read.db'), owner: 'feed-test' });
    runner = new ProjectionRunner(new MonitoringEngineProjection(), events, store);
    await runner.prepare();
    feed = new AlertChangeFeed(store);
  });
  afterEach(async () => {
    await store.close();
    await events.close();
    temp.cleanup();
  });

  it('is empty while the engine has committed nothing, even though events that will raise alerts are stored', async () => {
    await deniedAssignments(events, 'acme', 'bob', [0, 1, 2, 3, 4]);
    expect(await feed.readAfter(null, 10)).toEqual([]);
  });

  it('gives each raised alert once as `raised`, in log order, across pages of one, for every tenant', async () => {
    await deniedAssignments(events, 'acme', 'bob', [0, 1, 2, 3, 4]);
    await deniedAssignments(events, 'globex', 'bob', [0, 1, 2, 3, 4]);
    await deniedAssignments(events, 'acme', 'eve', [10, 11, 12, 13, 14]);
    await runner.catchUp();
    const { changes } = await readAll(feed, null, 1);
    expect(changes.map((c) => [c.tenantId, c.kind, c.alert.groupKey['actor.id'], c.alert.eventCount])).toEqual([
      ['acme', 'raised', 'bob', 5],
      ['globex', 'raised', 'bob', 5],
      ['acme', 'raised', 'eve', 5],
    ]);
    const positions = changes.map((c) => c.position);
    expect([...positions].sort()).toEqual(positions);
  });

  it('after the cursor: a joined event and a triage step are `updated` changes of the same alert, and nothing is repeated', async () => {
    await deniedAssignments(events, 'acme', 'bob', [0, 1, 2, 3, 4]);
    await runner.catchUp();
    const first = await readAll(feed, null, 10);
    expect(first.changes.map((c) => c.kind)).toEqual(['raised']);
    const alertId = first.changes[0].alertId;

    await deniedAssignments(events, 'acme', 'bob', [30]);
    await runner.catchUp();
    const joined = await readAll(feed, first.cursor, 10);
    expect(joined.changes.map((c) => [c.alertId, c.kind, c.alert.eventCount])).toEqual([[alertId, 'updated', 6]]);

    await events.append(aggregateStreamOf('alert', 'acme', alertId), [{ id: randomUUID(), type: ALERT_ACKNOWLEDGED, data: { tenantId: 'acme', alertId, by: 'alice', at: new Date(T0 + 60_000).toISOString() } }], 'any');
    await runner.catchUp();
    const triaged = await readAll(feed, joined.cursor, 10);
    expect(triaged.changes.map((c) => [c.alertId, c.kind, c.alert.status])).toEqual([[alertId, 'updated', 'acknowledged']]);
    expect(await feed.readAfter(triaged.cursor, 10)).toEqual([]);
  });

  it('a reader that was behind the raise sees the alert as `raised` even when later changes coalesced into it', async () => {
    await deniedAssignments(events, 'acme', 'bob', [0, 1, 2, 3, 4, 5, 6]);
    await runner.catchUp();
    const { changes } = await readAll(feed, null, 10);
    expect(changes.map((c) => [c.kind, c.alert.eventCount])).toEqual([['raised', 7]]);
  });

  it('a rebuild of the engine reproduces the same (alertId, position) changes', async () => {
    await deniedAssignments(events, 'acme', 'bob', [0, 1, 2, 3, 4]);
    await deniedAssignments(events, 'globex', 'eve', [0, 1, 2, 3, 4]);
    await runner.catchUp();
    const before = (await readAll(feed, null, 10)).changes.map((c) => [c.alertId, c.position]);
    await runner.reset();
    await runner.catchUp();
    expect((await readAll(feed, null, 10)).changes.map((c) => [c.alertId, c.position])).toEqual(before);
    expect(before).toHaveLength(2);
  });
});
