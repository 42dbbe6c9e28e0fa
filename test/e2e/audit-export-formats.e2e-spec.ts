import { StoredAuditEvent } from '../../src/audit-log/audit-event';
import { auditApi, textBody } from '../support/audit-api';
import { eventsFromCsv } from '../support/csv-export';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });

/** Every optional field set, with text a spreadsheet would run and text that needs quoting. */
const MAXIMAL = {
  id: '5b0c6a1e-2d3f-4a5b-8c7d-9e0f1a2b3c4d',
  occurredAt: '2026-11-20T10:00:00.000Z',
  actor: {
    id: '=alice',
    type: 'user',
    role: "'quoted role",
    sessionId: 's-1',
    ip: '2001:db8::7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) "quoted", comma',
    onBehalfOf: '@bob',
  },
  action: 'invoice.update',
  outcome: 'failure',
  resource: { type: 'invoice', id: '-INV-1', name: 'Invoice, "Q1"\r\nfinal', sensitivity: 'financial' },
  changes: { before: { amount: 100, lines: [{ sku: '=A1' }] }, after: null },
  channel: 'workflow',
  context: { requestId: 'req-1', correlationId: '+corr-1', workflowId: 'wf-approval-7', sourceService: 'billing' },
  dataSubjects: ['ds-1', 'ds "2", with comma'],
  metadata: { note: 'line1\nline2', nested: { deep: [1, 'two', null] }, flag: true },
};

describe('Export formats carry every field of the stored event (GET /v1/audit-events/export)', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;
  beforeEach(async () => {
    t = await createTestApp();
    api = auditApi(t.app);
  });
  afterEach(() => t.close());

  const exportOf = (format: string) =>
    api.http().get(`/v1/audit-events/export?format=${format}&resourceType=invoice`).set('Authorization', officer).buffer(true).parse(textBody()).expect(200);

  it('round-trips an event with every optional field set through NDJSON and CSV: both give back the stored event, field for field', async () => {
    const [receipt] = await api.record(writer, [MAXIMAL]);
    await api.list(officer, 'limit=1', receipt.sequence);
    const stored: StoredAuditEvent = { ...(MAXIMAL as unknown as StoredAuditEvent), tenantId: 'acme', sequence: receipt.sequence, recordedAt: receipt.recordedAt, hash: receipt.hash, prevHash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown as string };

    const ndjson = (await exportOf('ndjson')).body as string;
    const [fromNdjson] = ndjson.trim().split('\n').map((line) => JSON.parse(line) as StoredAuditEvent);
    expect(fromNdjson).toEqual(stored);

    const csv = (await exportOf('csv')).body as string;
    const [fromCsv] = eventsFromCsv(csv);
    expect(fromCsv).toEqual(fromNdjson);
  });
});
