import * as path from 'node:path';
import { auditEvent } from '../../../test/support/audit-event.factory';
import { makeTempDir } from '../../../test/support/temp-dir';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { auditStreamOf } from '../../event-store/stream-names';
import { SqliteReadStore } from '../../read-store/sqlite/sqlite-read-store';
import { AuditEventInput } from '../audit-event';
import { AuditLogProjection } from '../audit-log.projection';
import { IdempotencyConflictError } from '../audit-log.errors';
import { AuditStreamWriter } from './audit-stream-writer';

const TENANT = 'acme';
const ID = '6f1c2b9e-4a53-4c1e-9d7a-1b2c3d4e5f60';

/** The project's test event (test/support), always with the same client id, so that each record is a resend. */
const input = (overrides: Record<string, unknown> = {}) => auditEvent({ id: ID, metadata: { nested: { amount: 12.5, tags: ['a', 'b'] } }, ...overrides }) as unknown as AuditEventInput;

/**
 * Idempotency while the read model has not caught up: no projection runs here, so every recorded
 * event stays in the writer's recent window (this instance's own appends) or is only in the stream
 * (another instance's appends, learned by reading the stream's tail).
 */
describe('AuditStreamWriter: resends before the read model has the event', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let events: SqliteEventStore;
  let readStore: SqliteReadStore;

  beforeEach(async () => {
    temp = makeTempDir();
    events = new SqliteEventStore({ file: path.join(temp.dir, 'events.db') });
    readStore = new SqliteReadStore({ file: path.join(temp.dir, 'read.db') });
    await readStore.prepareProjection(new AuditLogProjection().definition);
  });

  afterEach(async () => {
    await events.close();
    await readStore.close();
    temp.cleanup();
  });

  const streamLength = async () => (await events.readStream(auditStreamOf(TENANT))).length;

  it('answers a resend of its own append with the original receipt, and a changed payload with a conflict', async () => {
    const writer = new AuditStreamWriter(events, readStore);
    const [first] = await writer.record(TENANT, [input()]);
    const [again] = await writer.record(TENANT, [input()]);

    expect(again).toMatchObject({ id: ID, sequence: first.sequence, hash: first.hash, recordedAt: first.recordedAt });
    await expect(writer.record(TENANT, [input({ action: 'invoice.delete' })])).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(writer.record(TENANT, [input({ metadata: { nested: { amount: 12.5, tags: ['a', 'c'] } } })])).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(await streamLength()).toBe(1);
  });

  it('compares a resend with what another instance appended, read from the stream', async () => {
    const [first] = await new AuditStreamWriter(events, readStore).record(TENANT, [input()]);
    const other = new AuditStreamWriter(events, readStore);

    const [again] = await other.record(TENANT, [input()]);
    expect(again).toMatchObject({ id: ID, sequence: first.sequence, hash: first.hash });
    await expect(other.record(TENANT, [input({ outcome: 'failure' })])).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(await streamLength()).toBe(1);
  });
});
