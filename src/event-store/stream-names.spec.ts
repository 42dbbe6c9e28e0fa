import { aggregateStreamOf, aggregateStreamPrefix, AggregateKind, auditStreamOf, checkpointStreamOf, grantStreamOf, idsOfStreamRest, retentionStreamOf, tenantOfAuditStream } from './stream-names';

describe('stream names', () => {
  it('names a role stream role-<tenant>-<name>, under the role- prefix', () => {
    const stream = aggregateStreamOf('role', 'acme', 'finance_reviewer');
    expect(stream).toBe('role-acme-finance_reviewer');
    expect(stream.startsWith(aggregateStreamPrefix('role'))).toBe(true);
  });

  it('names a grant stream grant-<tenant>-<id>', () => {
    expect(grantStreamOf('acme', '0123456789abcdef0123456789abcdef')).toBe('grant-acme-0123456789abcdef0123456789abcdef');
  });

  it('keeps the names of ids without "-" (every stream written before ids could contain "-")', () => {
    expect(auditStreamOf('acme')).toBe('audit-acme');
    expect(aggregateStreamOf('alert', 'acme_1', 'a.b:c')).toBe('alert-acme_1-a.b:c');
  });

  it('writes "-" inside an id as "~" and reads it back: a UUID tenant round-trips', () => {
    const tenant = '2f1c0a5e-7d3b-4c1a-9e2f-0b1c2d3e4f50';
    expect(auditStreamOf(tenant)).toBe('audit-2f1c0a5e~7d3b~4c1a~9e2f~0b1c2d3e4f50');
    expect(tenantOfAuditStream(auditStreamOf(tenant))).toBe(tenant);
    expect(idsOfStreamRest(aggregateStreamOf('role', tenant, 'x').slice('role-'.length))).toEqual([tenant, 'x']);
  });

  it('"acme" and "acme-x" never address each other\'s streams, whatever the ids after them', () => {
    const tenants = ['acme', 'acme-x', 'acme-', '-acme', 'acme--x', 'acme-x-y', 'x', 'x-y', 'a', 'a-'];
    const ids = ['x', 'y', 'x-y', 'y-x', '-', 'x-', '-x', 'a'];
    const kinds: AggregateKind[] = ['rule', 'role', 'webhook', 'schedule', 'alert'];
    const seen = new Map<string, string>();
    const claim = (stream: string, owner: string) => {
      expect(seen.get(stream) ?? owner).toBe(owner);
      seen.set(stream, owner);
    };
    for (const tenant of tenants) {
      claim(auditStreamOf(tenant), `audit ${tenant}`);
      claim(retentionStreamOf(tenant), `retention ${tenant}`);
      claim(checkpointStreamOf(tenant), `checkpoints ${tenant}`);
      for (const id of ids) {
        claim(grantStreamOf(tenant, id), `grant ${tenant} ${id}`);
        for (const kind of kinds) claim(aggregateStreamOf(kind, tenant, id), `${kind} ${tenant} ${id}`);
      }
    }
    // Every (kind, tenant, id) got a stream of its own, and none of them is another's audit stream.
    expect(seen.size).toBe(tenants.length * 3 + tenants.length * ids.length * (1 + kinds.length));
    for (const stream of seen.keys()) if (stream.startsWith('audit-')) expect(seen.get(stream)).toBe(`audit ${tenantOfAuditStream(stream)}`);
  });

  it.each([
    ['a tenant id with "~" (the escape of "-")', () => grantStreamOf('acme~x', 'g1')],
    ['an empty role name', () => aggregateStreamOf('role', 'acme', '')],
    ['a role name with "/"', () => aggregateStreamOf('role', 'acme', 'a/b')],
    ['an audit tenant with a space', () => auditStreamOf('a b')],
    ['a tenant id of 129 characters', () => auditStreamOf('a'.repeat(129))],
  ])('refuses %s', (_, build) => {
    expect(build).toThrow(/Invalid/);
  });
});
