import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const UUID_TENANT = '2f1c0a5e-7d3b-4c1a-9e2f-0b1c2d3e4f50';

const writerOf = (tenant: string) => bearer({ tenant, roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
const officerOf = (tenant: string) => bearer({ tenant, roles: ['compliance_officer'], sub: 'carol' });

/** Tenant ids with "-" (UUIDs, slugs): usable end to end, and isolated from the tenants they look like a prefix of. */
describe('tenant ids with "-"', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;

  beforeAll(async () => {
    t = await createTestApp();
    api = auditApi(t.app);
  });
  afterAll(async () => t.close());

  it('a token whose tenant is a UUID records, lists and verifies its own log', async () => {
    const [receipt] = await api.record(writerOf(UUID_TENANT), [auditEvent({ action: 'invoice.create' })]);
    expect(receipt.sequence).toBe(0);
    const items = await api.list(officerOf(UUID_TENANT), 'action=invoice.create', receipt.sequence);
    expect(items.map((e) => [e.tenantId, e.action])).toEqual([[UUID_TENANT, 'invoice.create']]);
    const verify = await api.http().get('/v1/integrity/verify').set('Authorization', officerOf(UUID_TENANT)).expect(200);
    expect(verify.body).toMatchObject({ valid: true });
    expect(verify.body.headSequence).toBeGreaterThanOrEqual(receipt.sequence);
  });

  it('"acme", "acme-x" and "acme-x-y" each see only their own events', async () => {
    const tenants = ['acme', 'acme-x', 'acme-x-y'];
    const sequences: Record<string, number> = {};
    for (const tenant of tenants) {
      const [receipt] = await api.record(writerOf(tenant), [auditEvent({ action: 'ledger.read', resource: { type: 'ledger', id: `of-${tenant}` } })]);
      sequences[tenant] = receipt.sequence;
    }
    for (const tenant of tenants) {
      const items = await api.list(officerOf(tenant), 'action=ledger.read', sequences[tenant]);
      expect(items.map((e) => [e.tenantId, e.resource.id])).toEqual([[tenant, `of-${tenant}`]]);
    }
  });
});
