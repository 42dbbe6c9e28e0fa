import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chainHash } from '../../src/integrity/hash-chain';
import { Checkpointer } from '../../src/integrity/checkpoints/checkpointer';
import { runVerifyCli } from '../../src/integrity/cli/verify-offline.cli';
import { auditApi, textBody } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { makeTempDir } from '../support/temp-dir';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const STREAM = 'audit-acme';
const MIDDLE = 4;

interface Row {
  revision: number;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: string;
  recorded_at: string;
}

/**
 * Plays an insider on the stopped service: opens DATA_DIR/events.db, drops the append-only triggers,
 * and rewrites the tenant stream as `change` says. With `rechain`, every hash from the first changed
 * event on is recomputed, as someone who knows the scheme would.
 */
function tamper(dataDir: string, stream: string, change: (rows: Row[]) => Row[], options: { rechain?: boolean } = {}): void {
  const db = new Database(path.join(dataDir, 'events.db'));
  try {
    const rows = db
      .prepare<[string], Omit<Row, 'data'> & { data: string }>('SELECT revision, event_id, type, data, metadata, recorded_at FROM events WHERE stream = ? ORDER BY revision')
      .all(stream)
      .map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
    const changed = change(rows.map((row) => ({ ...row, data: JSON.parse(JSON.stringify(row.data)) as Record<string, unknown> })));
    if (options.rechain) {
      let prevHash = '0'.repeat(64);
      for (const row of changed) {
        const { hash: _hash, ...rest } = { ...row.data, sequence: row.revision, prevHash } as Record<string, unknown>;
        row.data = { ...rest, hash: chainHash(prevHash, rest) };
        prevHash = row.data.hash as string;
      }
    }
    db.exec('DROP TRIGGER IF EXISTS events_are_immutable; DROP TRIGGER IF EXISTS events_are_never_deleted');
    db.transaction(() => {
      db.prepare('DELETE FROM events WHERE stream = ?').run(stream);
      const insert = db.prepare('INSERT INTO events (stream, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
      let position = 0;
      for (const row of changed) position = Number(insert.run(stream, row.revision, row.event_id, row.type, JSON.stringify(row.data), row.metadata, row.recorded_at).lastInsertRowid);
      const last = changed.at(-1);
      if (last) db.prepare('UPDATE streams SET head_revision = ?, head_position = ? WHERE stream = ?').run(last.revision, position, stream);
      else db.prepare('DELETE FROM streams WHERE stream = ?').run(stream);
    })();
  } finally {
    db.close();
  }
}

/** What an export of the tampered store would hold (an insider edits the read model to match): newest first, to show order does not matter. */
function exportOfStore(dataDir: string): string {
  const db = new Database(path.join(dataDir, 'events.db'), { readonly: true });
  try {
    const rows = db.prepare<[string], { data: string }>('SELECT data FROM events WHERE stream = ? ORDER BY revision DESC').all(STREAM);
    return rows.map((row) => row.data + '\n').join('');
  } finally {
    db.close();
  }
}

const withEvent = (row: Row, data: Record<string, unknown>): Row => ({ ...row, data: { ...row.data, ...data } });

const SCENARIOS: Array<{ name: string; rechain?: boolean; change: (rows: Row[], checkpointed: number) => Row[]; chainAlone: boolean }> = [
  { name: 'changes a middle event', chainAlone: true, change: (rows) => rows.map((r) => (r.revision === MIDDLE ? withEvent(r, { action: 'invoice.approve' }) : r)) },
  { name: 'deletes a middle event', chainAlone: true, change: (rows) => rows.filter((r) => r.revision !== MIDDLE) },
  { name: 'deletes the last events (through the checkpointed one)', chainAlone: false, change: (rows, checkpointed) => rows.filter((r) => r.revision < checkpointed - 1) },
  { name: 'rewrites a middle event and recomputes every later hash', rechain: true, chainAlone: false, change: (rows) => rows.map((r) => (r.revision === MIDDLE ? withEvent(r, { action: 'invoice.approve' }) : r)) },
  {
    name: 'inserts a forged event and recomputes every later hash',
    rechain: true,
    chainAlone: false,
    change: (rows) => [
      ...rows.slice(0, MIDDLE),
      { ...rows[MIDDLE], event_id: '00000000-0000-4000-8000-000000000001', data: { ...rows[MIDDLE].data, id: '00000000-0000-4000-8000-000000000001', action: 'payment.release' } },
      ...rows.slice(MIDDLE),
    ].map((r, revision) => ({ ...r, revision })),
  },
];

jest.setTimeout(30_000);

/** Issue 12 item 4: an insider with file access, and an auditor holding earlier copies of the checkpoints and the key. */
describe('an insider tampering with events.db of a stopped service', () => {
  let first: TestApp;
  let restarted: TestApp | null = null;
  let files: ReturnType<typeof makeTempDir>;

  beforeEach(() => (files = makeTempDir()));
  afterEach(async () => {
    await restarted?.close();
    restarted = null;
    fs.rmSync(first.dataDir, { recursive: true, force: true });
    files.cleanup();
  });

  /** Records 10 events, checkpoints, records 2 more; keeps the auditor's copies of checkpoints and key; stops the service. */
  async function recordedThenStopped(): Promise<{ checkpointed: number }> {
    first = await createTestApp();
    first.app.get(Checkpointer).stopTimer();
    const api = auditApi(first.app);
    await api.record(writer, Array.from({ length: 10 }, (_, i) => auditEvent({ resource: { type: 'invoice', id: `INV-${i}` } })));
    const checkpoint = (await first.app.get(Checkpointer).checkpointIfDue('acme', new Date('2026-11-28T12:00:00Z')))!;
    const [last] = await api.record(writer, [auditEvent(), auditEvent()]).then((r) => r.slice(-1));
    const checkpoints = await api.http().get('/v1/integrity/checkpoints').set('Authorization', officer).expect(200);
    fs.writeFileSync(path.join(files.dir, 'checkpoints.json'), JSON.stringify(checkpoints.body));
    const key = await api.http().get('/v1/reports/signing-key').set('Authorization', officer).expect(200);
    fs.writeFileSync(path.join(files.dir, 'key.pem'), key.body.publicKey);
    const exported = await api.http().get(`/v1/audit-events/export?minSequence=${last.sequence}`).set('Authorization', officer).buffer(true).parse(textBody()).expect(200);
    fs.writeFileSync(path.join(files.dir, 'export.ndjson'), exported.body as string);
    await first.app.close();
    return { checkpointed: checkpoint.sequence };
  }

  function offline(exportFile = path.join(files.dir, 'export.ndjson')): { code: number; out: string } {
    let out = '';
    const code = runVerifyCli(['--export', exportFile, '--checkpoints', path.join(files.dir, 'checkpoints.json'), '--public-key', path.join(files.dir, 'key.pem')], (t) => (out += t), (t) => (out += t));
    return { code, out };
  }

  it('before any tampering: verify is valid with the checkpoint, and the offline verifier accepts the real export (exit 0)', async () => {
    const { checkpointed } = await recordedThenStopped();
    expect(offline()).toEqual({ code: 0, out: expect.stringContaining('VALID') });
    restarted = await createTestApp({ env: { DATA_DIR: first.dataDir } });
    const verify = await auditApi(restarted.app).http().get('/v1/integrity/verify').set('Authorization', officer).expect(200);
    expect(verify.body).toMatchObject({ valid: true, checkpointsChecked: 1, latestCheckpoint: { sequence: checkpointed } });
    expect(verify.body.contradictedCheckpoint).toBeUndefined();
  });

  describe.each(SCENARIOS)('the insider $name', ({ change, rechain, chainAlone }) => {
    it('is detected by GET /v1/integrity/verify, naming the contradicted checkpoint where the chain alone cannot tell', async () => {
      const { checkpointed } = await recordedThenStopped();
      tamper(first.dataDir, STREAM, (rows) => change(rows, checkpointed), { rechain });
      restarted = await createTestApp({ env: { DATA_DIR: first.dataDir } });
      restarted.app.get(Checkpointer).stopTimer();
      const verify = await auditApi(restarted.app).http().get('/v1/integrity/verify').set('Authorization', officer).expect(200);
      expect(verify.body.valid).toBe(false);
      if (chainAlone) expect(verify.body.firstInvalidSequence).toBe(MIDDLE);
      else expect(verify.body.contradictedCheckpoint).toMatchObject({ tenantId: 'acme', sequence: checkpointed });
    });

    it('is detected by the offline verifier given the earlier checkpoint copy, even with the checkpoint stream truncated too (exit 1, first bad sequence named)', async () => {
      const { checkpointed } = await recordedThenStopped();
      tamper(first.dataDir, STREAM, (rows) => change(rows, checkpointed), { rechain });
      tamper(first.dataDir, 'checkpoints-acme', () => []);
      fs.writeFileSync(path.join(files.dir, 'tampered.ndjson'), exportOfStore(first.dataDir));
      const { code, out } = offline(path.join(files.dir, 'tampered.ndjson'));
      expect(code).toBe(1);
      const expectedFirstBad = chainAlone ? MIDDLE : rechain ? checkpointed : checkpointed - 1;
      expect(out).toContain(`TAMPERED OR INCOMPLETE: first bad sequence ${expectedFirstBad}:`);
    });
  });
});
